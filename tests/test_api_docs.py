"""The API docs page's curl examples, run exactly as a user pastes them (issue 10 item 17): with real
curl against a real uvicorn server when curl is installed, and always through the TestClient."""

from __future__ import annotations

import html
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from replybook.store import db
from replybook.store.models import Phrase
from replybook.store.settings import Settings
from replybook.web import api_docs
from replybook.web.app import create_app
from tests.conftest import Cli

SUPERVISOR, PASSWORD = "店长", "demo1234"
# A fixed port when a session is told to use one (REPLYBOOK_TEST_PORT), else any free one.
PORT = int(os.environ.get("REPLYBOOK_TEST_PORT", "0"))


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config):
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", PORT))
    server = _Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        assert server.ready.wait(30), "uvicorn did not start"
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


def examples_on(page: str) -> list[str]:
    """The shell commands in the page's example blocks, as the browser shows them."""
    found = re.findall(r'<pre class="example"><code>(.*?)</code></pre>', page, flags=re.S)
    return [html.unescape(command) for command in found]


def pasted(command: str) -> str:
    """What the reader pastes: the command with their password where the page says 密码."""
    placeholder = f"{SUPERVISOR}:{api_docs.PASSWORD_PLACEHOLDER}"
    assert placeholder in command, command
    return command.replace(placeholder, f"{SUPERVISOR}:{PASSWORD}")


def through_testclient(client: TestClient, command: str, base: str) -> tuple[int, bytes, Path | None]:
    """Run a pasted curl command through the TestClient, reading its options the way curl does."""
    args = shlex.split(command)
    assert args[0] == "curl"
    url, method, get, output = "", "GET", False, None
    headers: dict[str, str] = {}
    data: str | None = None
    query: list[str] = []
    auth: tuple[str, str] | None = None
    words = iter(args[1:])
    for word in words:
        if word == "-u":
            name, _, password = next(words).partition(":")
            auth = (name, password)
        elif word == "-G":
            get = True
        elif word == "--data-urlencode":
            name, _, value = next(words).partition("=")
            query.append(f"{name}={quote(value, safe='')}")  # what curl sends
        elif word == "-H":
            key, _, value = next(words).partition(":")
            headers[key.strip()] = value.strip()
        elif word == "-d":
            data, method = next(words), "POST"
        elif word == "-o":
            output = Path(next(words))
        elif word.startswith("http"):
            url = word
        else:
            raise AssertionError(f"the test does not know curl's {word}: add it here")
    assert url.startswith(base)
    if get and query:
        url += ("&" if "?" in url else "?") + "&".join(query)
    basic = httpx.BasicAuth(*auth) if auth else None
    response = client.request(
        method, url[len(base) :], headers=headers, content=data.encode() if data else None, auth=basic
    )
    if output is not None:
        output.write_bytes(response.content)
    return response.status_code, response.content, output


def check_results(results: list[tuple[str, int, bytes, Path | None]], url: str) -> None:
    assert [command for command, *_ in results], "the page shows no examples"
    for command, status, body, output in results:
        assert status in (200, 201), (command, status, body.decode(errors="replace"))
        if output is None:
            assert "detail" not in json.loads(body), command
        else:
            assert output.read_bytes().startswith("快捷短语编码,快捷短语,快捷短语分组".encode("gb18030"))
    by_path = {
        command.rsplit("/api/", 1)[1]: json.loads(body) for command, _, body, out in results if not out
    }
    assert by_path["me"]["name"] == SUPERVISOR
    assert "发货" in json.dumps(by_path["entries"], ensure_ascii=False)
    assert "什么时候发货" in json.dumps(by_path["try"], ensure_ascii=False)
    assert "发货" in json.dumps(by_path["phrases"], ensure_ascii=False)
    with Session(db.make_engine(url)) as s:
        mine = s.exec(select(Phrase).where(Phrase.owner == SUPERVISOR, Phrase.code == "fh")).one()
        assert mine.text == "亲，付款后48小时内发货哦"


def test_the_examples_are_the_documented_ones_and_need_no_encoding_by_hand(boss_page: str) -> None:
    found = examples_on(boss_page)
    assert len(found) == len(api_docs.EXAMPLES)
    for command in found:
        for word in shlex.split(command):
            if word.startswith("http"):
                assert word.isascii(), f"a non-ASCII URL does not survive being pasted: {command}"


@pytest.fixture
def boss_page(sample_cli: Cli) -> str:
    app = create_app(Settings(database_url=sample_cli.url, secret_key="test-secret"))
    with TestClient(app) as client:
        page = client.get("/api/docs", auth=(SUPERVISOR, PASSWORD))
        assert page.status_code == 200, page.text
        return page.text


# issue 10 item 17
def test_every_curl_example_works_through_the_testclient(
    sample_cli: Cli, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)  # -o team.csv writes where the reader is
    app = create_app(Settings(database_url=sample_cli.url, secret_key="test-secret"))
    with TestClient(app) as client:
        page = client.get("/api/docs", auth=(SUPERVISOR, PASSWORD))
        results = []
        for command in examples_on(page.text):
            status, body, output = through_testclient(client, pasted(command), "http://testserver")
            results.append((command, status, body, output))
    check_results(results, sample_cli.url)


# issue 10 item 17
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_every_curl_example_works_when_pasted_into_a_shell(sample_cli: Cli, tmp_path: Path) -> None:
    app = create_app(Settings(database_url=sample_cli.url, secret_key="test-secret"))
    with live_server(app) as base:
        page = httpx.get(f"{base}/api/docs", auth=(SUPERVISOR, PASSWORD), timeout=30)
        assert page.status_code == 200, page.text
        commands = examples_on(page.text)
        assert commands and all(base in command for command in commands)  # this server's own address
        results = []
        for command in commands:
            # Only what is needed to read the outcome is added: quiet, errors shown, the status last.
            run = subprocess.run(
                ["bash", "-c", pasted(command).replace("curl ", "curl -sS -w '\\n%{http_code}' ", 1)],
                cwd=tmp_path,
                capture_output=True,
                timeout=60,
                env={**os.environ, "LC_ALL": "C.UTF-8"},
            )
            assert run.returncode == 0, (command, run.stderr.decode(errors="replace"))
            body, _, status = run.stdout.rpartition(b"\n")
            output = tmp_path / "team.csv" if " -o team.csv " in command else None
            results.append((command, int(status), body, output))
    check_results(results, sample_cli.url)
