"""The service catalogue: business calendars, supported services, channels and promises."""
