"""Persistence: the SQL schema, migrations, and the SQLite and PostgreSQL adapters.

Driver errors are translated here; no layer above sees sqlite3 or asyncpg types.
"""
