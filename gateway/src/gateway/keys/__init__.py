"""Token signing keys: the key itself, sealed at rest, its life cycle, and each replica's ring."""
