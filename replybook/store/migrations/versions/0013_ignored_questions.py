"""ignored questions (忽略): questions the bot must not answer, one versioned row each

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 07:00:00
"""

import sqlalchemy as sa
from alembic import op

import replybook.store.models

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ignored_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(), nullable=False),
        sa.Column("question_norm", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", replybook.store.models.UTCDateTime(), nullable=True),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("question_norm"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("ignored_question")
