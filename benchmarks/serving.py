"""What the server benchmarks share: a real `replybook serve` on 127.0.0.1 over the sample shop, and
a big quick-phrase CSV to upload. The tests' upload checks use the same file maker."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

TEXT = "亲，这件针织开衫是羊毛混纺的，手洗或干洗都可以，平铺晾干不变形，有任何问题随时联系客服哦~" * 3


def phrase_csv(megabytes: int) -> bytes:
    """A team phrase CSV of about ``megabytes`` MB: new codes, long texts, GBK like Qianniu's own."""
    out = io.BytesIO()
    out.write("快捷短语编码,快捷短语,快捷短语分组\n".encode("gbk"))
    i = 0
    while out.tell() < megabytes * 1024 * 1024:
        out.write(f"big{i},{TEXT}{i},测试分组{i % 50}\n".encode("gbk"))
        i += 1
    return out.getvalue()


def start_server(url: str, port: int, source: str | None = None) -> subprocess.Popen[bytes]:
    """`replybook init --sample` on ``url``, then `replybook serve` on 127.0.0.1:``port``, answering
    (``source``: a checkout whose code to run instead of the installed one, for a baseline)."""
    exe = [str(Path(sys.executable).parent / "replybook")]
    env = {**os.environ, "PYTHONPATH": source} if source else None
    subprocess.run([*exe, "--db", url, "init", "--sample"], check=True, capture_output=True, env=env)
    proc = subprocess.Popen(
        [*exe, "--db", url, "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")
