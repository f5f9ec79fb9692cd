"""Uploads: the size limit, enforced while the body is read, and the files waiting for the user to
confirm an import after its dry-run preview.

Every route that takes an upload (the pages' routers and the API's, ``route_class=UploadRoute``) reads
its body here before anything parses it: ``Content-Length`` is checked first, then the body is streamed
into a SpooledTemporaryFile and counted, and the first byte over the limit ends the request with 413
and one Chinese line naming the limit. Nothing ever holds more than the limit, and the form parser
then reads the spooled copy. The routes themselves are plain ``def``: parsing, matching and every
database write run in a worker thread, so the event loop only moves bytes and others keep being served.

A preview and its confirmation are two requests; the file is kept in a private temporary folder in
between, under a random token that only the user who uploaded it can use.
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import IO, Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.types import Message

from replybook.store.errors import NotFoundError, ReplybookError

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
SPOOL_IN_MEMORY = 1024 * 1024  # a body larger than this waits on disk, not in memory
REPLAY_CHUNK = 256 * 1024


class UploadTooLarge(ReplybookError):
    """A request body over the upload limit (413)."""

    http_status = 413


def upload_limit(app: FastAPI) -> int:
    """The most bytes a request body may have: the ``max_upload_bytes`` setting (50 MB by default)."""
    settings = getattr(app.state, "settings", None)
    return int(getattr(settings, "max_upload_bytes", MAX_UPLOAD_BYTES))


def describe(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.0f} MB"
    return f"{size // 1024} KB"


def too_large(limit: int, size: int | None = None) -> UploadTooLarge:
    told = f"（{describe(size)}）" if size else ""
    return UploadTooLarge(f"文件太大{told}：一次最多上传 {describe(limit)}，请拆成几个文件分别上传。")


async def spool_body(request: Request, limit: int) -> IO[bytes]:
    """The request body in a spooled temporary file, refused as soon as it passes ``limit`` bytes:
    an announced ``Content-Length`` over it before a byte is read, then every chunk counted, so a
    chunked body or one longer than it announced is cut off at the limit too."""
    announced = request.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > limit:
        raise too_large(limit, int(announced))
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large(limit)
            if len(chunk) > SPOOL_IN_MEMORY or size > SPOOL_IN_MEMORY:
                await run_in_threadpool(spool.write, chunk)  # on disk by now: off the event loop
            else:
                spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def replay(spool: IO[bytes], request: Request) -> Callable[[], Coroutine[Any, Any, Message]]:
    """An ASGI ``receive`` that gives the spooled body again, then the client's own messages
    (a disconnect)."""
    done = False

    async def receive() -> Message:
        nonlocal done
        if done:
            return await request.receive()
        chunk = await run_in_threadpool(spool.read, REPLAY_CHUNK)
        done = len(chunk) < REPLAY_CHUNK  # the end of the file (at worst one empty message more)
        return {"type": "http.request", "body": chunk, "more_body": not done}

    return receive


class UploadRoute(APIRoute):
    """A route whose body is read within the upload limit before FastAPI or a form parser sees it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            if request.method in ("GET", "HEAD", "OPTIONS"):
                return await handler(request)
            spool = await spool_body(request, upload_limit(request.app))
            try:
                return await handler(Request(request.scope, replay(spool, request)))
            finally:
                spool.close()

        return limited


async def posted_form(request: Request) -> FormData:
    """The posted form (read once per request, within the limit), for plain ``def`` routes."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


def file_bytes(upload: UploadFile) -> bytes:
    """An uploaded file's content, read in the worker thread (at most the limit: the body was)."""
    upload.file.seek(0)
    return upload.file.read()


class UploadStore:
    """Uploads waiting for their confirm, as files. Its own temporary folder, removed on close; or a
    ``folder`` shared by every worker of one server (``serve --workers``), which its owner removes:
    a preview answered by one worker is confirmed by whichever answers next."""

    def __init__(self, folder: Path | None = None):
        self._owned = folder is None
        self.folder = folder or Path(tempfile.mkdtemp(prefix="replybook-uploads-"))
        self.folder.mkdir(parents=True, exist_ok=True)

    def put(self, data: bytes, meta: dict[str, Any]) -> str:
        token = secrets.token_urlsafe(18)
        (self.folder / f"{token}.bin").write_bytes(data)
        (self.folder / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        return token

    def get(self, token: str, *, user: str) -> tuple[bytes, dict[str, Any]]:
        if not token.replace("-", "").replace("_", "").isalnum():
            raise NotFoundError("上传的文件已失效，请重新上传")
        try:
            meta = json.loads((self.folder / f"{token}.json").read_text(encoding="utf-8"))
            data = (self.folder / f"{token}.bin").read_bytes()
        except FileNotFoundError:
            raise NotFoundError("上传的文件已失效（可能已导入过，或服务重启过），请重新上传") from None
        if meta.get("user") != user:
            raise NotFoundError("上传的文件已失效，请重新上传")
        return data, meta

    def drop(self, token: str) -> None:
        for suffix in (".bin", ".json"):
            (self.folder / f"{token}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        if self._owned:
            shutil.rmtree(self.folder, ignore_errors=True)
