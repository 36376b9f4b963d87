"""Training: learning content, training calendar, registrations and waiting lists, feedback."""
