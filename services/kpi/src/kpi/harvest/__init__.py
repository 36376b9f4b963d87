"""Harvesting the other services' events feeds: a cursor per feed, each event applied once."""
