"""Uploads: the size limit is enforced while the body is read (Content-Length first, then counted as it
streams), and a large upload is parsed in a worker thread, so the server keeps answering others."""

from __future__ import annotations

import io
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from benchmarks.serving import phrase_csv as big_phrase_csv
from replybook.store.models import Campaign, CoverageRun, Entry, Phrase, ReviewCount, Revision, ServiceScore
from replybook.store.models_scorecard import AgentDay
from replybook.store.settings import Settings
from replybook.web.app import create_app
from tests.conftest import Cli
from tests.test_web import SUPERVISOR, Browser

PORT = 8721
LIMIT = 256 * 1024  # the tests' limit (the real one is 50 MB), so an upload over it stays small
PADDING = b"x" * (LIMIT + 1)


@pytest.fixture
def app(sample_cli: Cli):
    return create_app(Settings(database_url=sample_cli.url, secret_key="test-secret", max_upload_bytes=LIMIT))


@pytest.fixture
def boss(app) -> Iterator[Browser]:
    with TestClient(app) as client:
        yield Browser(client, SUPERVISOR)


def _state(app) -> dict[str, object]:
    """What an upload could change: the row counts and the uploads waiting for a confirm."""
    with Session(app.state.engine) as s:
        counts = {
            model.__name__: s.exec(select(func.count()).select_from(model)).one()
            for model in (Entry, Phrase, CoverageRun, ReviewCount, ServiceScore, Campaign, AgentDay, Revision)
        }
    return {**counts, "waiting": sorted(p.name for p in Path(app.state.uploads.folder).iterdir())}


def _multipart(fields: dict[str, str], file_field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = "replybook-test-boundary"
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
    )
    out.write(data + f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def _campaign_id(app) -> int:
    with Session(app.state.engine) as s:
        found = s.exec(select(Campaign)).first()
        assert found is not None and found.id is not None
        return found.id


# route, the file's field, the other form fields: every page and API route that takes an upload
IMPORT = {"kind": "phrases", "mode": "merge", "library": "team"}
CAMPAIGN = {
    "name": "大文件活动",
    "start": "2026-12-20T00:00",
    "end": "2026-12-21T00:00",
    "coverage_target": "90",
}
UPLOAD_ROUTES = [
    ("/import/preview", "file", "team.csv", IMPORT),
    ("/coverage", "file", "questions.txt", {}),
    ("/gold/import", "file", "reviews.csv", {"mode": "add"}),
    ("/campaigns/new", "questions", "questions.txt", CAMPAIGN),
    ("/campaigns/{id}", "questions", "questions.txt", {**CAMPAIGN, "version": "1"}),
    ("/api/import/preview", "file", "team.csv", IMPORT),
    ("/api/coverage", "file", "questions.txt", {}),
    ("/api/gold/import", "file", "reviews.csv", {"mode": "add"}),
    ("/scorecard/upload/preview", "file", "agent_days.csv", {"kind": "figures", "mode": "merge"}),
    ("/scorecard/upload/preview", "file", "聊天记录.zip", {"kind": "chatlog"}),
    ("/api/scorecard/upload/preview", "file", "agent_days.csv", {"kind": "figures", "mode": "merge"}),
]


# issue 12 finding 2
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize(("route", "field", "filename", "fields"), UPLOAD_ROUTES)
def test_an_upload_over_the_limit_gets_413_and_changes_nothing(
    app, boss: Browser, route: str, field: str, filename: str, fields: dict[str, str], chunked: bool
) -> None:
    url = route.replace("{id}", str(_campaign_id(app)))
    body, content_type = _multipart({"csrf_token": boss.token, **fields}, field, filename, PADDING)
    before = _state(app)
    content = iter([body[i : i + 8192] for i in range(0, len(body), 8192)]) if chunked else body
    response = boss.client.post(
        url,
        content=content,
        headers={"Content-Type": content_type, "X-CSRF-Token": boss.token},
        follow_redirects=False,
    )
    assert response.status_code == 413, response.text
    message = response.json()["detail"] if url.startswith("/api/") else response.text
    assert "文件太大" in message and "256 KB" in message
    assert _state(app) == before


# issue 12 finding 2
@pytest.mark.parametrize("url", ["/import/confirm", "/api/import/confirm"])
def test_an_oversized_confirm_gets_413_and_imports_nothing(app, boss: Browser, url: str) -> None:
    before = _state(app)
    body = b"token=" + PADDING + b"&expected=0,0,0"
    response = boss.client.post(
        url,
        content=iter([body[i : i + 8192] for i in range(0, len(body), 8192)]),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": boss.token},
        follow_redirects=False,
    )
    assert response.status_code == 413
    assert _state(app) == before


# issue 12 finding 2
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_json_body_over_the_limit_gets_413_and_changes_nothing(app, boss: Browser, chunked: bool) -> None:
    """The API's JSON routes read their bodies through the same limit as the uploads."""
    body = json.dumps(
        {"category": "售后", "question": "很长的问题", "answers": ["亲" * LIMIT]}, ensure_ascii=False
    ).encode()
    before = _state(app)
    response = boss.client.post(
        "/api/entries",
        content=iter([body[i : i + 8192] for i in range(0, len(body), 8192)]) if chunked else body,
        headers={"Content-Type": "application/json", "X-CSRF-Token": boss.token},
    )
    assert response.status_code == 413, response.text
    assert "文件太大" in response.json()["detail"]
    assert _state(app) == before


# issue 12 finding 2
def test_a_lying_content_length_is_still_counted(app, boss: Browser) -> None:
    """A body longer than the Content-Length it announced is cut off at the limit, not read to its end."""
    body, content_type = _multipart({"csrf_token": boss.token, **IMPORT}, "file", "team.csv", PADDING)
    before = _state(app)
    response = boss.client.post(
        "/api/import/preview",
        content=iter([body]),
        headers={"Content-Type": content_type, "Content-Length": "1000", "X-CSRF-Token": boss.token},
    )
    assert response.status_code == 413
    assert "文件太大" in response.json()["detail"]
    assert _state(app) == before


# issue 12 finding 2
def test_an_upload_within_the_limit_still_previews_and_imports(app, boss: Browser) -> None:
    csv = "快捷短语编码,快捷短语,快捷短语分组\nbig,亲，这是一条新的短语,测试\n".encode("gbk")
    response = boss.client.post(
        "/import/preview",
        data={"csrf_token": boss.token, **IMPORT},
        files={"file": ("team.csv", csv, "text/csv")},
    )
    assert response.status_code == 200, response.text
    assert "新增 1" in response.text
    token = re.search(r'name="token" value="([^"]+)"', response.text)
    expected = re.search(r'name="expected" value="([^"]+)"', response.text)
    assert token and expected
    done = boss.post("/import/confirm", {"token": token.group(1), "expected": expected.group(1)})
    assert done.status_code == 303
    with Session(app.state.engine) as s:
        assert s.exec(select(Phrase).where(Phrase.code == "big")).first() is not None


# ---------------------------------------------------------------- responsiveness on a real server


class Server:
    """The app under uvicorn on 127.0.0.1, in a thread of this process."""

    def __init__(self, app, port: int = PORT):
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.base = f"http://127.0.0.1:{port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


def logged_in(base: str, name: str = SUPERVISOR, password: str = "demo1234") -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=60)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    done = client.post("/login", data={"name": name, "password": password, "csrf_token": token.group(1)})
    assert done.status_code in (200, 303), done.text
    home = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert home
    return client, home.group(1)


def probe_during(base: str, upload: threading.Thread, *, every: float = 0.2) -> list[float]:
    """GET /login repeatedly while ``upload`` runs: each answer's seconds (a timeout counts as 5 s)."""
    times: list[float] = []
    with httpx.Client(base_url=base, timeout=5) as probe:
        while upload.is_alive():
            started = time.monotonic()
            try:
                assert probe.get("/login").status_code == 200
                times.append(time.monotonic() - started)
            except httpx.TimeoutException:
                times.append(5.0)
            time.sleep(every)
    return times


# issue 12 finding 2
def test_the_login_page_answers_while_a_large_upload_is_previewed(sample_cli: Cli) -> None:
    app = create_app(Settings(database_url=sample_cli.url, secret_key="test-secret"))
    body = big_phrase_csv(40)
    with Server(app) as server:
        client, token = logged_in(server.base)
        result: dict[str, object] = {}

        def upload() -> None:
            response = client.post(
                "/api/import/preview",
                data=IMPORT,
                files={"file": ("team.csv", body, "text/csv")},
                headers={"X-CSRF-Token": token},
            )
            result["status"] = response.status_code
            result["json"] = response.json()

        uploading = threading.Thread(target=upload)
        started = time.monotonic()
        uploading.start()
        times = probe_during(server.base, uploading)
        uploading.join()
        upload_seconds = time.monotonic() - started
        client.close()
    assert result["status"] == 200, result
    assert len(times) >= 3, times  # the preview took long enough to be probed while it ran
    # Relative, not a wall-clock limit (these machines are noisy): an event loop blocked by the
    # parse would hold one probe for most of the upload; a free one answers every probe in a
    # small part of it.
    assert max(times) < upload_seconds / 2, (
        f"GET /login waited {max(times):.1f} of {upload_seconds:.1f} s: {times}"
    )
