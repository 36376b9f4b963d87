"""The gateway's command line, one module per command; `gateway.cli.main` binds them together."""
