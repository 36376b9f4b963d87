"""Every library's catalogue: the active products that reach it, in the reader's language."""
