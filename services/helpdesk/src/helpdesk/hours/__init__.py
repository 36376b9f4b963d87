"""Business hours: calendars per region and the arithmetic of time counted in them (pure Python)."""
