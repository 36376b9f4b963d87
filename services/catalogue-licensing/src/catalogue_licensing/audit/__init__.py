"""The audit trail of changes, readable by programme administrators (table, recording and route
are the kit's: chassis.audit)."""
