"""Products: what vendors offer, with the four answers and the procurement facts."""
