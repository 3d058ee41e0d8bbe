"""Alembic revision scripts (one file per revision; generate with scripts/new_migration.sh)."""
