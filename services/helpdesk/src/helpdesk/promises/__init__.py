"""The published service catalogue: what a library may expect, and what it got last quarter."""
