"""Attachments of tickets: size-limited, their type found from their content, not their name."""
