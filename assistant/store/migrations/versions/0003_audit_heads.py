"""audit chain heads (anchor against deleting the newest entries of a chain)

Revision ID: 0003_audit_heads
Revises: 7a9160ebb175
Create Date: 2026-11-22 06:40:00

The upgrade backfills one head per existing chain from the log as it stands, so a database that
was in use before this revision verifies as before (it cannot prove nothing was cut before now).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0003_audit_heads'
down_revision: Union[str, Sequence[str], None] = '7a9160ebb175'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('audit_heads',
    sa.Column('chain_key', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('chain_key', name=op.f('pk_audit_heads'))
    )
    # backfill: one head per chain = its entry with the highest seq
    op.execute(
        "INSERT INTO audit_heads (chain_key, case_id, entries, last_hash, updated_at) "
        "SELECT a.chain_key, a.case_id, a.seq, a.entry_hash, a.at FROM audit_log a "
        "JOIN (SELECT chain_key, MAX(seq) AS seq FROM audit_log GROUP BY chain_key) m "
        "ON a.chain_key = m.chain_key AND a.seq = m.seq"
    )


def downgrade() -> None:
    op.drop_table('audit_heads')
