"""`make bench`: the gateway's cost per request, measured against a direct call and nginx in one run."""
