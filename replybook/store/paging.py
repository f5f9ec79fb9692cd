"""Lists in pages: every list page and its /api/ twin shows one page of rows, fetched with LIMIT/OFFSET
after one COUNT, so a page costs the same whatever the shop's size (issue 14 goal 6).

``window(page, per_page)`` turns the page asked for (any integer) into rows to skip; ``fetch`` runs an
ordered ``select`` for one page; ``Page.fields()`` are the keys every paged response carries
(``total``, ``page``, ``pages``, ``per_page``) and ``templates/_pager.html`` reads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlmodel import Session, func, select

T = TypeVar("T")
MAX_PER_PAGE = 500  # the most rows any page shows, whatever a client asks for


def page_count(total: int, per_page: int) -> int:
    """How many pages ``total`` rows fill (at least one: an empty list is one empty page)."""
    return max(1, math.ceil(total / per_page))


def per_page_of(asked: int | None, default: int) -> int:
    """The page size a client asked for, kept within 1…MAX_PER_PAGE (``None``: the list's own)."""
    return default if asked is None else min(max(asked, 1), MAX_PER_PAGE)


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]  # this page's, in the list's order
    total: int  # every row of the list (with its filters), on all pages
    page: int  # 1-based
    per_page: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def fields(self) -> dict[str, int]:
        return {"total": self.total, "page": self.page, "pages": self.pages, "per_page": self.per_page}


def clamp(page: int, total: int, per_page: int) -> int:
    """The page to show: 1 for anything below, the last page for anything past the end."""
    return min(max(page, 1), page_count(total, per_page))


def fetch(session: Session, stmt: Any, *, page: int, per_page: int) -> Page[Any]:
    """One page of an ordered ``select``: COUNT(*) over it, then LIMIT/OFFSET (a page past the end
    shows the last one)."""
    total = session.exec(select(func.count()).select_from(stmt.order_by(None).subquery())).one()
    shown = clamp(page, total, per_page)
    rows = list(session.exec(stmt.limit(per_page).offset((shown - 1) * per_page)))
    return Page(rows, total, shown, per_page)


def of_list(rows: list[T], *, page: int, per_page: int) -> Page[T]:
    """One page of a list already in memory (a list that does not grow with the shop, or is built in
    Python), in the same shape."""
    shown = clamp(page, len(rows), per_page)
    start = (shown - 1) * per_page
    return Page(rows[start : start + per_page], len(rows), shown, per_page)
