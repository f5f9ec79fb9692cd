"""scorecard (issue 17): the shop's scorecard model (one versioned row)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 15:30:00
"""

import sqlalchemy as sa
from alembic import op

import replybook.store.models

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scorecard_model",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("commission", sa.JSON(), nullable=False),
        sa.Column("pay", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", replybook.store.models.UTCDateTime(), nullable=True),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("scorecard_model")
