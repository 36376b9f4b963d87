"""Figures: volumes, response and resolution times in business hours, SLA compliance, backlog."""
