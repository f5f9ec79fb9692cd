"""a campaign's question set is stored in the database (questions_file, questions_text), not as a path

For each existing campaign with a path, the file is read once (BOM → UTF-8 → GB18030) if it still
exists; a path that no longer exists keeps its file name without text, so the campaign check says
which file to upload again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 05:00:00
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _read(path: str) -> str | None:
    from replybook.store.errors import ReplybookError
    from replybook.tabular.encodings import detect_and_decode

    try:
        return detect_and_decode(Path(path).read_bytes())[0]
    except (OSError, ReplybookError):  # gone, a folder, unreadable, or no encoding fits
        return None


def _batch():  # type: ignore[no-untyped-def]
    if op.get_bind().dialect.name == "sqlite":
        # Rebuilt to drop a column: keep AUTOINCREMENT, so a deleted campaign's id is never handed on.
        return op.batch_alter_table(
            "campaign", recreate="always", table_kwargs={"sqlite_autoincrement": True}
        )
    return op.batch_alter_table("campaign")


def upgrade() -> None:
    with op.batch_alter_table("campaign") as batch_op:
        batch_op.add_column(sa.Column("questions_file", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("questions_text", sa.Text(), nullable=True))
    bind = op.get_bind()
    campaign = sa.table(
        "campaign",
        sa.column("id", sa.Integer),
        sa.column("questions_path", sa.String),
        sa.column("questions_file", sa.String),
        sa.column("questions_text", sa.Text),
    )
    rows = bind.execute(sa.select(campaign.c.id, campaign.c.questions_path)).all()
    for campaign_id, path in rows:
        if not path:
            continue
        bind.execute(
            campaign.update()
            .where(campaign.c.id == campaign_id)
            .values(questions_file=Path(path.replace("\\", "/")).name, questions_text=_read(path))
        )
    with _batch() as batch_op:
        batch_op.drop_column("questions_path")


def downgrade() -> None:
    with _batch() as batch_op:
        batch_op.add_column(sa.Column("questions_path", sa.String(), nullable=True))
        batch_op.drop_column("questions_text")
        batch_op.drop_column("questions_file")
