"""A wording belongs to one entry even when saves race: writers released together that each give
the same similar wording (or a standard question another writer gives as a similar wording) to a
different entry leave exactly one entry holding it; every other writer gets the usual conflict and
writes nothing. Threads on SQLite and, when configured, on PostgreSQL (real concurrent connections)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from replybook.library import entries
from replybook.store import db
from replybook.store.errors import ConflictError
from replybook.store.models import Entry, Revision
from replybook.store.normalize import normalise
from tests.test_concurrency import _race as race

pytestmark = pytest.mark.storage
WRITERS = 6
ROUNDS = 4


def _race(save: Callable[[int], object]) -> list[object]:
    return race(WRITERS, save)


def _holders(engine: Engine, wording: str) -> list[int]:
    key = normalise(wording)
    with Session(engine) as s:
        return [
            e.id or 0 for e in s.exec(select(Entry)) if key in {normalise(w) for w in entries.wordings(e)}
        ]


def _assert_one_winner(outcomes: list[object]) -> None:
    assert outcomes.count("saved") == 1, outcomes
    losers = [o for o in outcomes if o != "saved"]
    assert all(isinstance(o, ConflictError) for o in losers), losers
    assert all("已在问答" in str(o) for o in losers), losers  # the usual message, naming the holder


def test_concurrent_new_entries_with_one_similar_wording_keep_it_in_one(any_engine: Engine) -> None:
    for r in range(ROUNDS):
        wording = f"第{r}轮包邮吗"

        def create(i: int, wording: str = wording, r: int = r) -> str:
            data = entries.EntryData(
                category="shipping", question=f"第{r}轮写手{i}的问题", answers=["包邮"], similar=[wording]
            )
            with db.session_scope(any_engine) as s:
                entries.create_entry(s, data=data, user="店长")
            return "saved"

        outcomes = _race(create)
        _assert_one_winner(outcomes)
        assert len(_holders(any_engine, wording)) == 1
    with Session(any_engine) as s:  # nothing half-written: one entry and one history line per winner
        assert len(list(s.exec(select(Entry)))) == ROUNDS
        assert len(list(s.exec(select(Revision).where(Revision.item_type == "entry")))) == ROUNDS


def test_concurrent_edits_giving_two_entries_one_wording_keep_it_in_one(any_engine: Engine) -> None:
    with db.session_scope(any_engine) as s:
        ids = [
            entries.create_entry(
                s, data=entries.EntryData(category="shipping", question=f"问题{i}", answers=["好的"])
            ).id
            or 0
            for i in range(WRITERS)
        ]
    for r in range(ROUNDS):
        wording = f"第{r}轮能便宜点吗"

        def edit(i: int, wording: str = wording) -> str:
            with db.session_scope(any_engine) as s:
                data = entries.entry_data(entries.get_entry(s, ids[i]), "shipping")
                data.similar = [*data.similar, wording]
                entries.update_entry(s, entry_id=ids[i], data=data, expected_version=None, user="店长")
            return "saved"

        outcomes = _race(edit)
        _assert_one_winner(outcomes)
        assert len(_holders(any_engine, wording)) == 1


def test_a_standard_question_and_the_same_similar_wording_racing_keep_one(any_engine: Engine) -> None:
    for r in range(ROUNDS):
        wording = f"第{r}轮发什么快递"

        def create(i: int, wording: str = wording, r: int = r) -> str:
            if i == 0:  # one writer makes it a standard question, the others a similar wording
                data = entries.EntryData(category="shipping", question=wording, answers=["中通"])
            else:
                data = entries.EntryData(
                    category="shipping", question=f"第{r}轮问题{i}", answers=["圆通"], similar=[wording]
                )
            with db.session_scope(any_engine) as s:
                entries.create_entry(s, data=data, user="店长")
            return "saved"

        outcomes = _race(create)
        _assert_one_winner(outcomes)
        assert len(_holders(any_engine, wording)) == 1


def test_concurrent_api_creates_with_one_similar_wording_get_one_201_and_the_rest_409(
    any_engine: Engine,
) -> None:
    import base64

    from fastapi.testclient import TestClient

    from replybook.shop.sample import load_sample
    from replybook.store.settings import Settings
    from replybook.web.app import create_app

    with db.session_scope(any_engine) as s:
        load_sample(s)
    auth = {"Authorization": "Basic " + base64.b64encode("店长:demo1234".encode()).decode()}
    url = any_engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings(database_url=url, secret_key="wordings"))) as client:
        for r in range(2):
            wording = f"第{r}轮可以开发票吗"

            def create(i: int, wording: str = wording, r: int = r) -> object:
                body = {
                    "category": "after_sales",
                    "question": f"第{r}轮发票问题{i}",
                    "answers": ["可以"],
                    "similar": [wording],
                }
                return client.post("/api/entries", json=body, headers=auth)

            made = _race(create)
            codes = sorted(m.status_code for m in made)  # type: ignore[attr-defined]
            assert codes == [201] + [409] * (WRITERS - 1), [m.text for m in made]  # type: ignore[attr-defined]
            assert all("已在问答" in m.json()["detail"] for m in made if m.status_code == 409)  # type: ignore[attr-defined]
            assert len(_holders(any_engine, wording)) == 1
