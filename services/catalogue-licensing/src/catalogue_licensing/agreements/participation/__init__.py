"""Counties' participation in agreements: which of a county's libraries and schools take part."""
