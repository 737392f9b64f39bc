"""The HTTP and WebSocket API. The OpenAPI document at /openapi.json is the contract."""
