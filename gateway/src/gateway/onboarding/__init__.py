"""API clients registered, listed, rotated and revoked through the API by the programme (issue 15,
point 12); the command line (`gateway clients`) stays for operators."""
