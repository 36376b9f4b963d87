"""Questions asked of the figures: roll-ups up the hierarchy by each indicator's own rule."""
