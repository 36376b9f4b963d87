"""The gateway: routing, edge authentication and token issuing, the merged contract."""
