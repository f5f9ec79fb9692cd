"""The entries of an import kept on disk (issue 15: a 100,000-row workbook in flat memory): what goes
in comes back, in order, equal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from replybook.library.entries import EntryData
from replybook.library.entry_spool import EntrySpool, WordingClaims

SHOP = timezone(timedelta(hours=8))


def _entry(i: int) -> EntryData:
    return EntryData(
        category="shipping",
        question=f"第{i}号什么时候发货",
        answers=["亲，48小时内发货~", "换行\n也在"],
        similar=[f"第{i}号几天能发"],
        keywords=["发货"] if i % 2 else [],
        enabled=i % 3 != 0,
        active_start=datetime(2026, 12, 10, tzinfo=SHOP) if i % 4 == 1 else None,
        active_end=datetime(2026, 12, 12, 16, tzinfo=UTC) if i % 4 == 1 else None,
    )


def test_a_spool_gives_back_every_entry_equal_and_in_order() -> None:
    spool = EntrySpool()
    for i in range(2500):  # more than one read batch
        spool.append(_entry(i), f"工作表 问答库 第 {i + 2} 行")
    assert len(spool) == 2500 and bool(spool)
    assert list(spool) == [_entry(i) for i in range(2500)]
    assert [label for label, _ in spool.labelled()][:2] == ["工作表 问答库 第 2 行", "工作表 问答库 第 3 行"]
    assert spool[5] == _entry(5) and spool[-1] == _entry(2499)
    assert spool[:3] == [_entry(0), _entry(1), _entry(2)]
    assert spool[2498:9999] == [_entry(2498), _entry(2499)]
    assert spool[::1000] == [_entry(0), _entry(1000), _entry(2000)]
    with pytest.raises(IndexError):
        spool[2500]


def test_an_empty_spool_is_falsy_and_empty() -> None:
    spool = EntrySpool()
    assert (len(spool), bool(spool), list(spool), spool[:10]) == (0, False, [], [])


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ([("发货", 2, "甲")], [(2, "甲")]),
        ([("发货", 2, "甲"), ("发货", 2, "甲")], [(2, "甲"), (2, "甲")]),  # the same row again: its own
        ([("发货", 2, "甲"), ("退货", 3, "乙"), ("发货", 4, "丙")], [(2, "甲"), (3, "乙"), (2, "甲")]),
    ],
)
def test_a_wording_belongs_to_the_row_that_claimed_it_first(
    claims: list[tuple[str, int, str]], expected: list[tuple[int, str]]
) -> None:
    seen = WordingClaims()
    assert [seen.claim(*c) for c in claims] == expected
