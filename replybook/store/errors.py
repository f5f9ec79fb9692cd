"""The errors the core raises; the CLI and the web turn them into one clear line or an HTTP 4xx."""

from __future__ import annotations

import errno
from dataclasses import dataclass


class ReplybookError(Exception):
    """Base for every error a user can cause and fix. ``exit_code`` is what the CLI exits with."""

    exit_code = 2
    http_status = 400


@dataclass(frozen=True)
class Problem:
    """One problem in an input file: where it is and what was expected."""

    where: str  # e.g. "第 3 行" or "第 2 条 (什么时候发货)"
    message: str
    column: str | None = None

    def __str__(self) -> str:
        col = f"，{self.column}" if self.column else ""
        return f"{self.where}{col}：{self.message}"


class ImportFormatError(ReplybookError):
    """An input file is malformed. Carries every problem found; nothing was written."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        super().__init__(self.render())

    def render(self, limit: int = 50) -> str:
        lines = [f"{self.source}：发现 {len(self.problems)} 个问题，未写入任何内容"]
        lines += [f"  {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  …… 另有 {len(self.problems) - limit} 个问题")
        return "\n".join(lines)


class NotFoundError(ReplybookError):
    http_status = 404


class ConflictError(ReplybookError):
    """A uniqueness or stale-version conflict."""

    http_status = 409


class TooManyAttempts(ReplybookError):
    """Too many failed logins for a name or from an address; ``retry_after`` seconds until it may try."""

    http_status = 429

    def __init__(self, retry_after: int):
        self.retry_after = max(1, retry_after)
        minutes = -(-self.retry_after // 60)
        super().__init__(f"登录失败次数太多，请 {minutes} 分钟后再试；忘记密码请让客服主管在“用户”页重设。")


class TooManyPasswordChecks(TooManyAttempts):
    """Too many HTTP basic-auth password checks (a scrypt each) from one address within a minute."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.args = (
            f"HTTP Basic 认证每次都要校验密码，这个地址一分钟内校验得太多了，请 {self.retry_after} 秒后再试；"
            "脚本请改用个人 API 令牌（Authorization: Bearer，在“我的账号”页或用 replybook user token 创建）。",
        )


class StaleVersionError(ConflictError):
    """Someone saved the item after the version this edit started from."""

    def __init__(self, item_type: str, item_id: int, expected: int, current: int):
        self.item_type, self.item_id, self.expected, self.current = item_type, item_id, expected, current
        super().__init__(
            f"{item_type} #{item_id} 已被他人修改（你编辑的是第 {expected} 版，当前是第 {current} 版）"
        )


class PermissionDenied(ReplybookError):
    http_status = 403


class InvalidValue(ReplybookError):
    """A single bad value (an option, a field)."""

    http_status = 422


class DatabaseUnavailable(ReplybookError):
    http_status = 503


# What the OS says about a file, in the words of the rest of the messages (never "Is a directory").
_OS_REASONS = {
    errno.ENOENT: "文件不存在",
    errno.EISDIR: "是文件夹，请给出其中的一个文件",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "所在磁盘只读",
    errno.ENAMETOOLONG: "路径太长",
}


def os_reason(exc: OSError) -> str:
    """Why the OS refused, in Chinese."""
    if exc.errno in _OS_REASONS:
        return _OS_REASONS[exc.errno]
    return f"系统错误 {errno.errorcode.get(exc.errno or 0, exc.errno)}"


def file_error(path: object, exc: OSError, *, writing: bool = False) -> InvalidValue:
    """A user's file that cannot be read or written, as one Chinese line naming it."""
    if isinstance(exc, IsADirectoryError):
        return InvalidValue(f"{path} 是文件夹，请给出其中的一个文件")
    if isinstance(exc, FileNotFoundError):
        return InvalidValue(f"无法写入 {path}：所在文件夹不存在" if writing else f"找不到文件 {path}")
    return InvalidValue(f"无法{'写入' if writing else '读取'} {path}：{os_reason(exc)}")
