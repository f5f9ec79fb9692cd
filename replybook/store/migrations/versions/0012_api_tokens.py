"""api_token: personal API tokens (sha256 of the secret, the user, last use, revocation)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 07:00:00
"""

import sqlalchemy as sa
from alembic import op

import replybook.store.models

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", replybook.store.models.UTCDateTime(), nullable=True),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.Column("last_used_at", replybook.store.models.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", replybook.store.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("secret_hash"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_api_token_user_id"), "api_token", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_api_token_user_id"), table_name="api_token")
    op.drop_table("api_token")
