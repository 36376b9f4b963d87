"""Cost shares: what each participating county pays of an agreement's yearly price."""
