"""SLA clocks as users see them: the explained due dates, breaches and their escalation."""
