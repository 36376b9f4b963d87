"""A small application built on the chassis alone, so each mechanism is tested once, here."""
