"""The audit trail of changes, readable by programme administrators."""
