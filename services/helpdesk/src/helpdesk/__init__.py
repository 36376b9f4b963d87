"""Helpdesk: service catalogue with support promises, tickets and SLA clocks, knowledge base."""
