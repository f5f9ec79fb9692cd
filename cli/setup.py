"""`replybook init`, `replybook demo`, `replybook serve`: set up a database and run the web UI."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import tempfile
from inspect import signature
from pathlib import Path

import typer

from replybook.store import db
from replybook.store.errors import InvalidValue, os_reason
from replybook.store.settings import Settings

from .common import console, session, state


def init(
    ctx: typer.Context,
    starter: bool = typer.Option(False, "--starter", help="载入入门问答（intents/，每个内置分类的常见问题）"),
    sample: bool = typer.Option(False, "--sample", help="载入示例店铺（毛菇小象女装旗舰店，准备聚划算）"),
) -> None:
    """创建数据库，或把它升级到当前结构；可顺便载入入门问答或示例店铺。

    Example: replybook init --starter
    """
    if starter and sample:
        raise InvalidValue("--starter 和 --sample 只能选一个")
    st = state(ctx)
    before, after = db.upgrade(st.engine)
    where = db.describe(st.engine)
    if before is None:
        console.print(f"已创建数据库 {where}（结构版本 {after}）")
    elif before != after:
        console.print(f"已升级数据库 {where}：{before} → {after}")
    else:
        console.print(f"数据库 {where} 已是最新（结构版本 {after}）")
    with session(ctx) as s:
        from replybook.library.entries import ensure_builtin_categories

        ensure_builtin_categories(s)
        if before is None:  # a new shop starts with the e-commerce synonyms (intents/synonyms.yaml)
            from replybook.library.synonyms import load_starter_synonyms

            if added := load_starter_synonyms(s, user="cli"):
                console.print(f"已载入起步同义词 {added} 组（replybook synonyms list 查看）")
        if starter:
            from replybook.library.starter import load_starter

            plan = load_starter(s, user="cli")
            console.print(f"已载入入门问答 {len(plan.add)} 条")
        if sample:
            from replybook.shop.sample import load_sample

            report = load_sample(s)
            _print_sample(report)


def _print_sample(report) -> None:
    console.print(
        f"已载入示例店铺：问答 {report.entries} 条，自动回复 {report.autoreplies} 条，活动 {report.campaigns} 个"
    )
    if report.phrases:
        parts = "，".join(f"{k} {v} 条" for k, v in report.phrases.items())
        console.print(f"快捷短语：{parts}")
    if report.review_rows:
        console.print(f"评价数据 {report.review_rows} 行")


def serve(
    ctx: typer.Context,
    host: str = typer.Option(None, help="监听地址（默认 127.0.0.1，或 REPLYBOOK_HOST）"),
    port: int = typer.Option(None, help="端口（默认 8000，或 REPLYBOOK_PORT）"),
    workers: int = typer.Option(
        1, "--workers", min=1, max=64, help="工作进程数（团队用 PostgreSQL 时可设为 CPU 核数）"
    ),
) -> None:
    """启动网页界面和 JSON API。

    Example: replybook serve --port 8000
    Example: replybook --db postgresql://replybook@db.example/shop serve --host 0.0.0.0 --workers 2
    """
    settings = Settings(database_url=state(ctx).database_url)
    db.ensure_current(state(ctx).engine)  # one clear line, not a server traceback, if it is not ready
    host, port = host or settings.host, port or settings.port
    if workers > 1:
        _run_workers(settings, state(ctx).engine, _listen(host, port), host, port, workers=workers)
    else:
        _run(settings, _listen(host, port), host, port, logins=None)


def demo(
    ctx: typer.Context,
    file: Path = typer.Option(Path("replybook-demo.db"), "--file", help="演示用的 SQLite 文件（每次重建）"),
    host: str = typer.Option("127.0.0.1", help="监听地址"),
    port: int = typer.Option(8000, help="端口"),
    no_serve: bool = typer.Option(False, "--no-serve", help="只建库，不启动网页"),
) -> None:
    """演示：新建一个载入示例店铺的 SQLite 数据库，然后启动网页。

    Example: replybook demo --port 8000
    """
    listening = None if no_serve else _listen(host, port)  # a busy port says so before any work
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{file}{suffix}").unlink(missing_ok=True)
    st = state(ctx)
    st.db = str(file)
    st._engine = None
    db.upgrade(st.engine)
    with session(ctx) as s:
        from replybook.library.entries import ensure_builtin_categories
        from replybook.shop.sample import load_sample

        ensure_builtin_categories(s)
        report = load_sample(s)
        run = sample_coverage_run(s)
    _print_sample(report)
    console.print(
        f"已对示例问题做覆盖率测试（聚划算开始时）：覆盖率 {run.coverage:.1%}，结果见网页的覆盖率页面",
        markup=False,
    )
    if no_serve:
        console.print(f"演示数据库：{file.resolve()}")
        return
    assert listening is not None
    _run(Settings(database_url=str(file)), listening, host, port, logins=report.users)


def sample_coverage_run(s):
    """The demo's dashboard shows a coverage run: the sample questions as of the campaign's start."""
    from replybook.campaigns.service import get_campaign
    from replybook.coverage.run import run_coverage, save_run
    from replybook.shop.sample import sample_dir

    start = get_campaign(s, "聚划算").start
    report = run_coverage(s, sample_dir() / "questions.txt", at=start)
    return save_run(s, report, source="questions.txt（示例）", user="demo")


def _listen(host: str, port: int) -> socket.socket:
    """Claim the address before saying the server started: a busy port is one clear line, not a
    "started" line followed by uvicorn's English error."""
    if not 0 < port < 65536:
        raise InvalidValue(f"端口应在 1 到 65535 之间，现为 {port}")
    try:
        family, kind, _proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror:
        raise InvalidValue(f"无法在 {host} 上监听：找不到这个地址") from None
    sock = socket.socket(family, kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: restart at once
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise InvalidValue(
                f"端口 {port} 已被占用（{host}:{port}）；请用 --port 换一个端口，或先停止占用它的程序"
            ) from None
        if exc.errno == errno.EACCES:
            raise InvalidValue(
                f"没有权限监听端口 {port}（1024 以下的端口需要管理员权限）；请用 --port 换一个"
            ) from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise InvalidValue(f"本机没有地址 {host}，无法在上面监听") from None
        raise InvalidValue(f"无法监听 {host}:{port}：{os_reason(exc)}") from None
    return sock


def _run(settings: Settings, sock: socket.socket, host: str, port: int, logins) -> None:
    import uvicorn

    from replybook.web.app import create_app

    app = create_app(settings)
    console.print(f"replybook 网页已启动：http://{host}:{port}/", markup=False)
    if logins:
        console.print("演示账号：", markup=False)
        for name, role, password in logins:
            label = "客服主管" if role == "supervisor" else "客服"
            console.print(f"  {name} / {password}（{label}）", markup=False)
    console.print("按 Ctrl+C 停止。", markup=False)
    uvicorn.Server(server_config(app, settings, host=host, port=port)).run(sockets=[sock])


def _run_workers(
    settings: Settings, engine, sock: socket.socket, host: str, port: int, *, workers: int
) -> None:
    """``workers`` processes on one listening socket, each its own app (``app_from_environment``).
    What they share lives in the database (sessions, the library's version that the matcher cache
    checks, tokens, the secret that signs cookies — stored once here, before any worker starts, so
    two workers never each make one) or in one upload folder; the login and password-check limits
    are counted per worker (see the README)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from replybook.web.app import secret_key

    secret_key(settings, engine)
    folder = tempfile.mkdtemp(prefix="replybook-uploads-")
    os.environ["REPLYBOOK_DATABASE_URL"] = settings.database_url
    os.environ["REPLYBOOK_UPLOAD_DIR"] = folder
    config = server_config(
        "replybook.web.app:app_from_environment",
        settings,
        host=host,
        port=port,
        factory=True,
        workers=workers,
    )
    console.print(f"replybook 网页已启动：http://{host}:{port}/（{workers} 个工作进程）", markup=False)
    console.print("按 Ctrl+C 停止。", markup=False)
    # uvicorn's supervisor took the worker's target until its 2024 rewrite; it now makes its own
    extra = {"target": uvicorn.Server(config).run} if "target" in signature(Multiprocess).parameters else {}
    try:
        Multiprocess(config, sockets=[sock], **extra).run()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def server_config(app, settings: Settings, *, host: str, port: int, **extra):
    """uvicorn's configuration. ``X-Forwarded-For`` / ``-Proto`` count only from the proxies the
    shop named (``REPLYBOOK_TRUSTED_PROXIES``): uvicorn would otherwise believe them from any local
    client, and a forged address would slip past the per-address login throttle."""
    import uvicorn

    trusted = settings.trusted_proxies.strip()
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,  # a line per request, formatted even when nothing shows it
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
        **extra,
    )
