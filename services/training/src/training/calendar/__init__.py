"""iCalendar feeds (RFC 5545): the public calendar, filtered, and each person's own behind a token."""
