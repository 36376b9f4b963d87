"""The phone log: calls logged by agents in a few fields, solved on the line or turned into a ticket."""
