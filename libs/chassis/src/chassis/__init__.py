"""The shared service chassis: each cross-cutting mechanism written once, used by every service."""
