"""Alembic environment: runs on the connection that :func:`crampcheck.storage.migrate` passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from crampcheck.storage.schema import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


conn = config.attributes.get("connection")
if conn is not None:
    _run(conn)
else:  # `alembic` run by hand with -x url=... (developers only)
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    engine = create_engine(str(url))
    with engine.connect() as c:
        _run(c)
        c.commit()
