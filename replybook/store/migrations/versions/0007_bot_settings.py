"""bot settings (SPEC §8b): mode, transfer rules, shifts and staffing figures, one versioned row

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-02 18:50:00
"""

import sqlalchemy as sa
from alembic import op

import replybook.store.models

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bot_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("transfer_keywords", sa.JSON(), nullable=False),
        sa.Column("unanswered_limit", sa.Integer(), nullable=False),
        sa.Column("high_risk_categories", sa.JSON(), nullable=False),
        sa.Column("high_risk_entries", sa.JSON(), nullable=False),
        sa.Column("shifts", sa.JSON(), nullable=False),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("handling_minutes", sa.Float(), nullable=False),
        sa.Column("productivity", sa.Float(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", replybook.store.models.UTCDateTime(), nullable=True),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("bot_settings")
