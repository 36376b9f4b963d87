"""Sessions: dated occurrences of a course, in a named time zone, with seats per way of attending."""
