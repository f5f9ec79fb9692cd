"""synonyms (同义词, issue 13): one versioned row per core word; the groups kept so far in the
``synonyms`` shop setting move into it

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 19:00:00
"""

import json

import sqlalchemy as sa
from alembic import op

import replybook.store.models

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "synonym",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("word", sa.String(length=32), nullable=False),
        sa.Column("word_key", sa.String(length=32), nullable=False),
        sa.Column("similar_words", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", replybook.store.models.UTCDateTime(), nullable=True),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("word_key"),
        sqlite_autoincrement=True,
    )
    bind = op.get_bind()
    setting = sa.table("setting", sa.column("key", sa.String), sa.column("value", sa.String))
    raw = bind.execute(sa.select(setting.c.value).where(setting.c.key == "synonyms")).scalar()
    if raw:
        rows, seen = [], set()
        for group in json.loads(raw):
            word = str(group.get("word", "")).strip()
            if word and word.lower() not in seen:
                seen.add(word.lower())
                similar = [str(v) for v in group.get("similar", [])]
                rows.append(
                    {
                        "word": word,
                        "word_key": word.lower(),
                        "similar_words": similar,
                        "enabled": True,
                        "version": 1,
                    }
                )
        if rows:
            op.bulk_insert(table, rows)
        bind.execute(sa.delete(setting).where(setting.c.key == "synonyms"))


def downgrade() -> None:
    op.drop_table("synonym")
