"""scorecard (issue 17): figures per agent per day, the supervisor's monthly hand scores

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-03 07:40:00
"""

import sqlalchemy as sa
from alembic import op

import replybook.store.models

revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None


def _bookkeeping() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", replybook.store.models.UTCDateTime(), nullable=True),
        sa.Column("updated_by", sa.String(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "agent_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=True)
            for name in ("consultations", "inquiries", "orders", "payers", "sales_cents")
        ),
        *(
            sa.Column(name, sa.Float(), nullable=True)
            for name in ("avg_response_seconds", "first_response_seconds", "reply_rate", "rate_3min")
        ),
        *(
            sa.Column(name, sa.Integer(), nullable=True)
            for name in ("buyer_turns", "praise", "complaints", "phrase_messages", "typed_messages")
        ),
        *_bookkeeping(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "agent", "source", name="uq_agent_day"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_agent_day_day", "agent_day", ["day"])
    op.create_table(
        "hand_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        *_bookkeeping(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("month", "agent", "item", name="uq_hand_score"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_hand_score_month", "hand_score", ["month"])


def downgrade() -> None:
    op.drop_table("hand_score")
    op.drop_table("agent_day")
