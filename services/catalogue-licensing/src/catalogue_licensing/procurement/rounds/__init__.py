"""A procurement round: its schedule in its own time zone, and its moves through the states."""
