"""Search over published learning content: the platform's mechanism (libs/search) behind
`GET /v1/search`."""
