"""Uploaded files waiting for the user to confirm an import after its dry-run preview.

A preview and its confirmation are two requests; the file is kept in a private temporary folder in
between, under a random token that only the user who uploaded it can use.
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

from replybook.store.errors import InvalidValue, NotFoundError

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class UploadStore:
    def __init__(self, folder: Path | None = None):
        self.folder = folder or Path(tempfile.mkdtemp(prefix="replybook-uploads-"))

    def put(self, data: bytes, meta: dict[str, Any]) -> str:
        if len(data) > MAX_UPLOAD_BYTES:
            raise InvalidValue(f"文件太大（{len(data) // 1024 // 1024} MB），一次最多导入 50 MB")
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
        shutil.rmtree(self.folder, ignore_errors=True)
