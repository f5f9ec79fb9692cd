"""users: a session generation (every session cookie carries it; bumping it ends them all), and users
are versioned items (version, updated_at, updated_by); ids never reused on SQLite

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 06:00:00
"""

import sqlalchemy as sa
from alembic import op

import replybook.store.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _batch():  # type: ignore[no-untyped-def]
    if op.get_bind().dialect.name == "sqlite":
        # Rebuilt with AUTOINCREMENT, so a deleted user's id (and history) is never handed on.
        return op.batch_alter_table("user", recreate="always", table_kwargs={"sqlite_autoincrement": True})
    return op.batch_alter_table("user")


def upgrade() -> None:
    with _batch() as batch_op:
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("updated_at", replybook.store.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("updated_by", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("updated_by")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("version")
        batch_op.drop_column("session_generation")
