"""Registrations: a seat or a place on the waiting list, promotion when a seat frees, attendance."""
