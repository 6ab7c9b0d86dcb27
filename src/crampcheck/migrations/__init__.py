"""Alembic migrations, shipped in the package and run by :func:`crampcheck.storage.migrate`."""
