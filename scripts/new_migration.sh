#!/usr/bin/env bash
# Autogenerate an Alembic revision for tables added to assistant/store/*_tables.py.
#   scripts/new_migration.sh "add records tables"
# Upgrades a scratch SQLite database to head, compares it with Base.metadata and writes the new
# revision into assistant/store/migrations/versions/. Review the file before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -lt 1 ]]; then echo "usage: $0 \"message\"" >&2; exit 2; fi
PY=${PYTHON:-.venv/bin/python}
"$PY" -c 'import sys; from assistant.store.db import autogenerate_revision; print(autogenerate_revision(sys.argv[1]))' "$1"
