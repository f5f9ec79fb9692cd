"""`replybook serve --workers 2` (issue 14 goal 7): two processes on one port, each with its own
matcher cache, sessions and uploads. An edit made through one worker is seen by every try that
follows, whichever worker answers it; an upload previewed by one is confirmed by the other.
Talks only to 127.0.0.1, bounded in requests and seconds."""

from __future__ import annotations

import base64
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from replybook.store.settings import Settings
from replybook.web.app import create_app

pytestmark = pytest.mark.storage

EXE = str(Path(sys.executable).parent / "replybook")
QUESTION = "可以刻字吗"
IMPORT = {"kind": "phrases", "mode": "merge", "library": "team"}
BASIC = {"Authorization": "Basic " + base64.b64encode("店长:demo1234".encode()).decode()}
ROUNDS = 40  # concurrent tries per round; a round ends once both workers have answered


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def two_workers(any_engine: Engine) -> Iterator[tuple[str, str]]:
    """The sample shop served by two workers: (base URL, a supervisor's API token)."""
    url = any_engine.url.render_as_string(hide_password=False)
    any_engine.dispose()
    run = [EXE, "--db", url]
    subprocess.run([*run, "init", "--sample"], check=True, capture_output=True)
    made = subprocess.run([*run, "user", "token", "店长"], check=True, capture_output=True, text=True)
    token = made.stdout.strip().splitlines()[-1]
    port = _free_port()
    server = subprocess.Popen(
        [*run, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{base}/login", timeout=2)
                break
            except httpx.HTTPError:
                assert server.poll() is None, "serve --workers 2 exited"
                assert time.monotonic() < deadline, "serve --workers 2 did not answer in 120 s"
                time.sleep(0.3)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _tries_from_both(base: str, token: str) -> list[tuple[str, dict]]:
    """Concurrent tries until both workers have answered (at most 10 rounds): (worker, result)."""
    headers = {"Authorization": f"Bearer {token}"}

    def one(_: int) -> tuple[str, dict]:
        with httpx.Client(base_url=base, timeout=60, headers=headers) as client:  # a new connection
            response = client.get("/api/try", params={"q": QUESTION})
            assert response.status_code == 200, response.text
            return response.headers["X-Replybook-Worker"], response.json()["result"]

    answers: list[tuple[str, dict]] = []
    with ThreadPoolExecutor(8) as pool:
        for _ in range(10):
            answers += pool.map(one, range(ROUNDS))
            if len({worker for worker, _ in answers}) == 2:
                return answers
    pytest.fail(f"only one worker answered {len(answers)} tries")


def test_an_edit_through_one_worker_is_seen_by_every_try_after_it(two_workers: tuple[str, str]) -> None:
    base, token = two_workers
    before = _tries_from_both(base, token)  # both workers have built their matcher
    assert {result["status"] for _, result in before} == {"uncovered"}

    headers = {"Authorization": f"Bearer {token}"}
    new = {"category": "custom", "question": QUESTION, "answers": ["可以的亲，免费刻字"]}
    made = httpx.post(f"{base}/api/entries", json=new, headers=headers, timeout=60)
    assert made.status_code == 201, made.text

    after = _tries_from_both(base, token)
    wrong = [(worker, result["status"]) for worker, result in after if result["answers"] != new["answers"]]
    assert not wrong, f"tries that missed the edit: {wrong}"


def test_uploads_previewed_and_confirmed_under_two_workers_all_land(two_workers: tuple[str, str]) -> None:
    base, token = two_workers
    headers = {"Authorization": f"Bearer {token}"}

    def preview_then_confirm(n: int) -> tuple[int, int]:
        body = f"快捷短语编码,快捷短语,快捷短语分组\nw{n},亲，第 {n} 条,测试\n".encode("gbk")
        with httpx.Client(base_url=base, timeout=60, headers=headers) as preview_client:
            preview = preview_client.post(
                "/api/import/preview", data=IMPORT, files={"file": ("team.csv", body, "text/csv")}
            )
        assert preview.status_code == 200, preview.text
        with httpx.Client(base_url=base, timeout=60, headers=headers) as confirm_client:  # maybe the other
            done = confirm_client.post(
                "/api/import/confirm",
                json={"token": preview.json()["token"], "expected": preview.json()["expected"]},
            )
        return preview.status_code, done.status_code

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(preview_then_confirm, range(16)))
    assert results == [(200, 200)] * 16


def test_a_preview_made_by_one_worker_is_confirmed_by_another(sample_cli, tmp_path: Path) -> None:
    """The upload folder the workers share: worker A previews, worker B confirms."""
    settings = Settings(database_url=sample_cli.url, secret_key="workers", upload_dir=str(tmp_path / "up"))
    body = "快捷短语编码,快捷短语,快捷短语分组\nw1,亲，两个进程都认得这条,测试\n".encode("gbk")
    with TestClient(create_app(settings)) as a, TestClient(create_app(settings)) as b:
        preview = a.post(
            "/api/import/preview", data=IMPORT, files={"file": ("team.csv", body, "text/csv")}, headers=BASIC
        )
        assert preview.status_code == 200, preview.text
        done = b.post(
            "/api/import/confirm",
            json={"token": preview.json()["token"], "expected": preview.json()["expected"]},
            headers=BASIC,
        )
        assert done.status_code == 200, done.text
        team = b.get("/api/phrases", params={"library": "team", "q": "两个进程"}, headers=BASIC).json()
        assert [p["code"] for group in team["groups"] for p in group["phrases"]] == ["w1"]
    assert (tmp_path / "up").is_dir()  # a shared folder outlives one worker's shutdown
