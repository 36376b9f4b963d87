"""Publication: datasets (indicators x organisations x periods) published to an audience, with
small numbers suppressed in public outputs."""
