"""The reverse proxy: `/{service}/v1/...` checked at the edge and streamed to the service and back."""
