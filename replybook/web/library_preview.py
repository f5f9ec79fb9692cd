"""The import page's preview of a library file: the entries (field by field for a changed one) and,
for a complete file (``shop/library_file.py``), its auto-replies and campaigns, each item marked
with its kind — what the CLI's `replybook library import --dry-run` reports, on the page."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlmodel import Session

from replybook.autoreplies.transfer import AutoReplyPlan
from replybook.library.entries import entry_data, list_categories
from replybook.library.file import LibraryPlan
from replybook.library.synonyms import SynonymPlan
from replybook.shop.library_file import CampaignPlan, FullLibraryPlan
from replybook.store.labels import field_name

PREVIEW_LIMIT = 200  # items listed per section; the counts are always complete
# The fields an import preview compares, named as everywhere else (``store.labels``).
ENTRY_FIELDS = {
    k: field_name(k)
    for k in (
        "category",
        "question",
        "similar",
        "keywords",
        "answers",
        "enabled",
        "active_start",
        "active_end",
    )
}


def counts(plan: FullLibraryPlan) -> str:
    """The plan's counts, which a confirm compares with the preview's (a change in between re-asks)."""
    lib = plan.library
    text = f"{len(lib.add)},{len(lib.change)},{len(lib.remove)}"
    if plan.synonyms is not None:
        s = plan.synonyms
        text += f";同义词:{len(s.add)},{len(s.change)},{len(s.remove)}"
    if plan.autoreplies is not None:
        a = plan.autoreplies
        text += f";自动回复:{len(a.add)},{len(a.change)},{len(a.remove)}"
    if plan.campaigns is not None:
        c = plan.campaigns
        text += f";活动:{len(c.add)},{len(c.change)},{len(c.remove)}"
    return text


Items = dict[str, list[dict[str, Any]]]  # added / changed / removed, each item marked with its kind


def autoreply_items(plan: AutoReplyPlan) -> Items:
    """The auto-replies an import adds, changes and removes, as every preview lists them."""
    return {
        "added": [{"title": f"[自动回复] {r.name}", "detail": r.text} for r in plan.add],
        "changed": [{"title": f"[自动回复] {r.name}", "detail": r.text} for _, _, r in plan.change],
        "removed": [{"title": f"[自动回复] {name}", "detail": ""} for _, name in plan.remove],
    }


def synonym_items(plan: SynonymPlan) -> Items:
    return {
        "added": [{"title": f"[同义词] {g.word}", "detail": "、".join(g.similar)} for g in plan.add],
        "changed": [{"title": f"[同义词] {g.word}", "detail": "、".join(g.similar)} for _, g in plan.change],
        "removed": [{"title": f"[同义词] {i.word}", "detail": ""} for i in plan.remove],
    }


def campaign_items(plan: CampaignPlan) -> Items:
    def window(d: Any) -> str:
        return f"{d.start:%Y-%m-%d %H:%M} 至 {d.end:%Y-%m-%d %H:%M}"

    return {
        "added": [{"title": f"[活动] {d.name}", "detail": window(d)} for d in plan.add],
        "changed": [{"title": f"[活动] {d.name}", "detail": window(d)} for _, d in plan.change],
        "removed": [{"title": f"[活动] {name}", "detail": ""} for name in plan.remove],
    }


def preview(session: Session, plan: FullLibraryPlan) -> dict[str, Any]:
    """The entries' preview, with the file's auto-replies and campaigns added to each list."""
    shown = entries_preview(session, plan.library)
    kinds = ["问答库"]
    parts: list[tuple[Items, int]] = []
    if plan.synonyms is not None:
        kinds.append("同义词")
        parts.append((synonym_items(plan.synonyms), plan.synonyms.unchanged))
    if plan.autoreplies is not None:
        kinds.append("自动回复")
        parts.append((autoreply_items(plan.autoreplies), plan.autoreplies.unchanged))
    if plan.campaigns is not None:
        kinds.append("活动")
        parts.append((campaign_items(plan.campaigns), plan.campaigns.unchanged))
    for items, unchanged in parts:
        for key, listed in items.items():
            shown[key] = (shown[key] + listed)[:PREVIEW_LIMIT]
            shown["counts"][key] += len(listed)
        shown["unchanged"] += unchanged
    shown["what"] = "、".join(kinds)
    return shown


def entries_preview(session: Session, plan: LibraryPlan) -> dict[str, Any]:
    keys = {c.id: c.key for c in list_categories(session)}
    names = {c.key: c.name for c in list_categories(session)} | dict(plan.new_categories)
    changed = []
    for entry, new in plan.change[:PREVIEW_LIMIT]:
        old = asdict(entry_data(entry, keys[entry.category_id]))
        fresh = asdict(new)
        changed.append(
            {
                "title": entry.question,
                "fields": [
                    {"field": label, "old": _lines(old[k]), "new": _lines(fresh[k])}
                    for k, label in ENTRY_FIELDS.items()
                    if old[k] != fresh[k]
                ],
            }
        )
    return {
        "kind": "library",
        "what": "问答库",
        "shop": plan.shop,
        "added": [
            {
                "title": d.question,
                "detail": f"{names.get(d.category, d.category)} · {d.answers[0] if d.answers else ''}",
            }
            for d in plan.add[:PREVIEW_LIMIT]
        ],
        "changed": changed,
        "removed": [
            {"title": d.question, "detail": names.get(d.category, d.category)}
            for d in plan.removed_entries[:PREVIEW_LIMIT]
        ],
        "counts": {"added": len(plan.add), "changed": len(plan.change), "removed": len(plan.remove)},
        "unchanged": plan.unchanged,
        "warnings": (
            [
                f"将新增分类 {len(plan.new_categories)} 个："
                + "、".join(f"{n}（{k}）" for k, n in plan.new_categories)
            ]
            if plan.new_categories
            else []
        )
        + plan.warnings,
    }


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return ["是" if value else "否"]
    return [str(value)]
