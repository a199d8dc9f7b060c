"""Alembic's entry point: runs the revisions on the connection that data.migrations hands it.

There is no alembic.ini: data.migrations builds the configuration (scripts/db_migrate.py is
the command line). SQLite runs in batch mode, so that a revision's ALTER TABLE works there
by copying the table (see docs/DATA.md, "Schema migrations").
"""

from alembic import context

from data import schema

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=schema.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
