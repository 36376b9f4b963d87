"""Award: an accepted offer becomes the agreement for the round's contract period, in the same
transaction; a round concludes when every offer has its outcome and every accepted one its
agreement."""
