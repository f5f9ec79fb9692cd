"""A whole shop in one archive (issue 15 item 2): `replybook backup shop.zip` / `replybook restore
shop.zip`. The layout (docs/formats.md, 备份文件):

    manifest.json   {"format": "replybook-backup", "format_version": 1, "created_at": …, "counts": …}
    library.yaml    the complete library file (shop/library_file.py): shop name, own categories, bot
                    settings, entries, synonyms, auto-replies, campaigns with their question sets
    phrases.json    every quick phrase, team and personal, in the order they were made
    reviews.json    the daily review counts and service scores (金牌客服 figures)
    users.json      the users, name and role only: no password hash leaves the shop

Everything but ``created_at`` is a function of the database alone (members in a fixed order, a
fixed member time, sorted rows), so backup → restore → backup gives the same bytes apart from that
one field. A restore goes only into an empty database (a new shop's starter synonyms do not count:
the backup's synonyms replace them) and writes everything or nothing (the caller's transaction);
restored users have no password until one is set.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from sqlmodel import Session, col, func, select

from replybook import phrases
from replybook.library.entries import ensure_builtin_categories
from replybook.shop import library_file
from replybook.store import history
from replybook.store.errors import ConflictError, ImportFormatError, Problem, file_error
from replybook.store.models import (
    REVIEW_LEVELS,
    AutoReply,
    BotSettings,
    Campaign,
    Category,
    Entry,
    Phrase,
    ReviewCount,
    ServiceScore,
    User,
)
from replybook.store.models_synonyms import Synonym
from replybook.store.timeutil import now as clock_now
from replybook.store.users import check_role

FORMAT = "replybook-backup"
FORMAT_VERSION = 1
MEMBERS = ("manifest.json", "library.yaml", "phrases.json", "reviews.json", "users.json")
MEMBER_TIME = (1980, 1, 1, 0, 0, 0)  # the zip format's earliest: no clock in the member headers
NO_PASSWORD = "!restored: set a new password"  # matches no password: the hasher cannot verify it


@dataclass
class BackupReport:
    counts: dict[str, int] = field(default_factory=dict)
    created_at: str = ""
    users: list[str] = field(default_factory=list)  # restored: each needs a new password


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def phrase_rows(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "scope": p.scope,
            "owner": p.owner,
            "group": p.group_name,
            "code": p.code,
            "text": p.text,
            "image_url": p.image_url,
        }
        for p in session.exec(select(Phrase).order_by(col(Phrase.id)))
    ]


def review_rows(session: Session) -> dict[str, list[dict[str, Any]]]:
    counts = session.exec(
        select(ReviewCount).order_by(col(ReviewCount.day), col(ReviewCount.source), col(ReviewCount.agent))
    )
    return {
        "reviews": [
            {"day": r.day.isoformat(), "source": r.source, "agent": r.agent}
            | {level: getattr(r, level) for level in REVIEW_LEVELS}
            for r in counts
        ],
        "scores": [
            {"day": s.day.isoformat(), "score": s.score}
            for s in session.exec(select(ServiceScore).order_by(col(ServiceScore.day)))
        ],
    }


def user_rows(session: Session) -> list[dict[str, str]]:
    return [{"name": u.name, "role": u.role} for u in session.exec(select(User).order_by(col(User.id)))]


def backup_bytes(session: Session, *, now: datetime | None = None) -> tuple[bytes, BackupReport]:
    """The archive of the whole shop, and what it holds. ``now`` names the manifest's created_at."""
    ensure_builtin_categories(session)
    library_text = library_file.export_text(session)
    phrase_list = phrase_rows(session)
    reviews = review_rows(session)
    user_list = user_rows(session)
    report = BackupReport(
        counts={
            "entries": library_text.count("\n  - category:"),
            "synonyms": session.exec(select(func.count()).select_from(Synonym)).one(),
            "autoreplies": session.exec(select(func.count()).select_from(AutoReply)).one(),
            "campaigns": session.exec(select(func.count()).select_from(Campaign)).one(),
            "phrases": len(phrase_list),
            "reviews": len(reviews["reviews"]),
            "scores": len(reviews["scores"]),
            "users": len(user_list),
        },
        created_at=(now or clock_now()).isoformat(timespec="seconds"),
    )
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": report.created_at,
        "counts": report.counts,
    }
    contents = {
        "manifest.json": _json(manifest),
        "library.yaml": library_text.encode("utf-8"),
        "phrases.json": _json(phrase_list),
        "reviews.json": _json(reviews),
        "users.json": _json(user_list),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in MEMBERS:
            info = zipfile.ZipInfo(name, date_time=MEMBER_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, contents[name])
    return out.getvalue(), report


def write_backup(session: Session, target: Path, *, now: datetime | None = None) -> BackupReport:
    data, report = backup_bytes(session, now=now)
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise file_error(target, exc, writing=True) from None
    return report


# ---------------------------------------------------------------- restore


def what_is_stored(session: Session) -> list[str]:
    """What a database already holds that a restore would mix with ("问答 12 条"); empty: nothing."""
    kinds = [
        (Entry, "问答", "条"),
        (AutoReply, "自动回复", "条"),
        (Campaign, "活动", "个"),
        (Phrase, "快捷短语", "条"),
        (ReviewCount, "评价数据", "行"),
        (ServiceScore, "综合服务分", "天"),
        (User, "用户", "个"),
        (BotSettings, "机器人设置", "份"),
    ]
    found = []
    for table, name, unit in kinds:
        n = session.exec(select(func.count()).select_from(table)).one()
        if n:
            found.append(f"{name} {n} {unit}")
    own = session.exec(
        select(func.count()).select_from(Category).where(col(Category.builtin).is_(False))
    ).one()
    if own:
        found.append(f"自建分类 {own} 个")
    return found


def _read_archive(source: str | Path | bytes | IO[bytes], name: str) -> dict[str, bytes]:
    try:
        raw = source if isinstance(source, bytes) else None
        if raw is None and isinstance(source, str | Path):
            raw = Path(source).read_bytes()
        with zipfile.ZipFile(io.BytesIO(raw) if raw is not None else source) as archive:  # type: ignore[arg-type]
            names = set(archive.namelist())
            missing = [m for m in MEMBERS if m not in names]
            if missing:
                raise ImportFormatError(
                    name, [Problem("文件", f"不是 replybook 备份：缺少 {'、'.join(missing)}")]
                )
            return {m: archive.read(m) for m in MEMBERS}
    except OSError as exc:
        raise file_error(Path(name), exc) from None
    except zipfile.BadZipFile:
        raise ImportFormatError(
            name, [Problem("文件", "不是 ZIP 文件（replybook backup 写的 .zip）")]
        ) from None


def _load(contents: dict[str, bytes], member: str, name: str) -> Any:
    try:
        return json.loads(contents[member].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFormatError(name, [Problem(member, f"不是 UTF-8 的 JSON：{exc}")]) from None


def _check_manifest(manifest: Any, name: str) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ImportFormatError(
            name, [Problem("manifest.json", f"不是 replybook 备份（format 应为 {FORMAT}）")]
        )
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ImportFormatError(
            name,
            [Problem("manifest.json", f"备份格式版本 {version!r}，本版 replybook 只读版本 {FORMAT_VERSION}")],
        )


def restore(
    session: Session,
    source: str | Path | bytes | IO[bytes],
    *,
    name: str | None = None,
    user: str | None = None,
) -> BackupReport:
    """Put a backup into an empty database. Refuses (ConflictError, one line) a database that holds
    anything; a bad member raises ImportFormatError. The caller's transaction makes it all-or-nothing."""
    name = name or str(source if isinstance(source, str | Path) else "备份文件")
    contents = _read_archive(source, name)
    manifest = _load(contents, "manifest.json", name)
    _check_manifest(manifest, name)
    ensure_builtin_categories(session)
    stored = what_is_stored(session)
    if stored:
        raise ConflictError(
            f"数据库不是空的（已有{'，'.join(stored)}）：备份只能恢复到空数据库，请换一个新数据库（replybook --db … init）"
        )
    report = BackupReport(created_at=str(manifest.get("created_at") or ""))
    for row in _load(contents, "users.json", name):
        check_role(row["role"])
        account = User(name=row["name"], role=row["role"], password_hash=NO_PASSWORD, created_at=clock_now())
        history.create(session, account, user=user, summary=f"从备份恢复用户 {row['name']}（需设新密码）")
        report.users.append(row["name"])
    session.flush()
    text = library_file.library_file.decode_library(contents["library.yaml"], source=f"{name}:library.yaml")
    plan = library_file.plan_import(
        session, text, source=f"{name}:library.yaml", mode="merge", synonyms_mode="replace"
    )
    library_file.apply_import(session, plan, user=user)
    phrase_list = _load(contents, "phrases.json", name)
    for row in phrase_list:
        phrases.create_phrase(
            session,
            data=phrases.PhraseData(
                scope=row["scope"],
                owner=row["owner"],
                group=row["group"],
                code=row["code"],
                text=row["text"],
                image_url=row.get("image_url"),
            ),
            user=user,
        )
    reviews = _load(contents, "reviews.json", name)
    for row in reviews["reviews"]:
        count = ReviewCount(day=date.fromisoformat(row["day"]), source=row["source"], agent=row["agent"])
        for level in REVIEW_LEVELS:
            setattr(count, level, int(row[level]))
        history.create(session, count, user=user, summary=f"从备份恢复 {row['day']} 的评价数")
    for row in reviews["scores"]:
        session.add(ServiceScore(day=date.fromisoformat(row["day"]), score=float(row["score"])))
    session.flush()
    report.counts = {
        "entries": len(plan.library.add),
        "synonyms": len(session.exec(select(Synonym.id)).all()) if plan.synonyms else 0,
        "autoreplies": len(plan.autoreplies.add) if plan.autoreplies else 0,
        "campaigns": len(plan.campaigns.add) if plan.campaigns else 0,
        "phrases": len(phrase_list),
        "reviews": len(reviews["reviews"]),
        "scores": len(reviews["scores"]),
        "users": len(report.users),
    }
    return report
