"""Alembic environment: run on a connection handed over by ``hotline.store.database.migrate``."""

from alembic import context

from hotline.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
