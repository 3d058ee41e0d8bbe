"""Alembic migrations of the case store (run through :meth:`assistant.store.db.Database.migrate`)."""
