"""Browser tests: a real uvicorn server on a free port over a temporary sample database, driven by
Debian's headless Chromium through playwright (never a downloaded browser). A failing test leaves a
screenshot in test-artifacts/."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from replybook.store.settings import Settings
from replybook.web.app import create_app
from tests.conftest import REPO, Cli

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "demo1234"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server over a fresh copy of the sample shop, listening before the first request."""
    url = str(tmp_path_factory.mktemp("browser") / "replybook.db")
    result = Cli(url)("init", "--sample")
    assert result.exit_code == 0, result.output
    app = create_app(Settings(database_url=url, secret_key="browser-tests"))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Port 0 (any free one) unless REPLYBOOK_BROWSER_PORT names one (a machine shared by several runs).
    sock.bind(("127.0.0.1", int(os.environ.get("REPLYBOOK_BROWSER_PORT", "0"))))
    sock.listen(64)  # connections queue here until uvicorn accepts them: no polling for readiness
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


class Pages:
    """Opens logged-in pages (each in its own browser context, like two people at two computers)."""

    def __init__(self, browser, base_url: str):
        self.browser, self.base_url = browser, base_url
        self.opened: list = []

    def new(self, *, width: int = 1366, height: int = 768):
        context = self.browser.new_context(
            base_url=self.base_url, viewport={"width": width, "height": height}, locale="zh-CN"
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        self.opened.append(page)
        return page

    def login(self, name: str, **viewport):
        page = self.new(**viewport)
        page.goto("/login")
        page.get_by_label("用户名").fill(name)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{self.base_url}/")
        return page


@pytest.fixture
def pages(browser, base_url: str, request: pytest.FixtureRequest) -> Iterator[Pages]:
    opened = Pages(browser, base_url)
    yield opened
    failed = getattr(request.node, "rep_call", None)
    for i, page in enumerate(opened.opened):
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{i}.png"), full_page=True)
        page.context.close()
