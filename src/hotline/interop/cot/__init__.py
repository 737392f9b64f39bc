"""Cursor on Target (TAK): the gateway, its CoT XML, and the deployment's certificates for clients."""
