"""scorecard: a day typed by hand on the web is marked, so an import leaves it as typed

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 21:00:00

The days typed before this revision are found by their history: a day whose latest change was typed
on the web (手工录入 / 手工修改) is marked; one restored since, or imported, is not.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agent_day") as batch_op:
        batch_op.add_column(
            sa.Column("typed_by_hand", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    revision_table = sa.table(
        "revision",
        sa.column("item_type", sa.String),
        sa.column("item_id", sa.Integer),
        sa.column("version", sa.Integer),
        sa.column("summary", sa.String),
    )
    latest = (
        sa.select(revision_table.c.item_id, sa.func.max(revision_table.c.version).label("version"))
        .where(revision_table.c.item_type == "agentday")
        .group_by(revision_table.c.item_id)
        .subquery()
    )
    by_hand = (
        sa.select(revision_table.c.item_id)
        .join(
            latest,
            sa.and_(
                latest.c.item_id == revision_table.c.item_id, latest.c.version == revision_table.c.version
            ),
        )
        .where(revision_table.c.item_type == "agentday", revision_table.c.summary.like("手工%"))
    )
    day = sa.table("agent_day", sa.column("id", sa.Integer), sa.column("typed_by_hand", sa.Boolean))
    op.get_bind().execute(sa.update(day).where(day.c.id.in_(by_hand)).values(typed_by_hand=True))


def downgrade() -> None:
    with op.batch_alter_table("agent_day") as batch_op:
        batch_op.drop_column("typed_by_hand")
