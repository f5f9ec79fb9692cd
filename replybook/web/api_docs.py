"""The API's documentation page, read from its OpenAPI document (served locally: no CDN needed)."""

from __future__ import annotations

import shlex
from typing import Any

WHERE = {"path": "路径", "query": "查询参数", "header": "请求头"}
SKIPPED_RESPONSES = {"200", "201", "422"}
PASSWORD_PLACEHOLDER = "密码"
# The curl examples on the page, as a user pastes them into a shell (issue 10 item 17). {base} is the
# address the page was served from and {login} the reader's ``name:密码``. A non-ASCII query value
# goes through -G --data-urlencode, which percent-encodes it: curl sends a raw 发货 in a URL as bytes
# that proxies and servers may refuse. A test runs every one of them with real curl.
EXAMPLES = (
    ("我是谁：检查用户名和密码", "curl -u {login} {base}/api/me"),
    ("搜索问答", "curl -u {login} -G --data-urlencode 'q=发货' {base}/api/entries"),
    (
        "试一试：机器人会怎么回答",
        "curl -u {login} -G --data-urlencode 'q=什么时候发货' {base}/api/try",
    ),
    (
        "试一试（POST，JSON 请求体）",
        "curl -u {login} -H 'Content-Type: application/json' "
        """-d '{"question": "什么时候发货"}' {base}/api/try""",
    ),
    (
        "团队短语里找“发货”",
        "curl -u {login} -G --data-urlencode 'library=team' --data-urlencode 'q=发货' {base}/api/phrases",
    ),
    (
        "新增一条自己的快捷短语",
        "curl -u {login} -H 'Content-Type: application/json' "
        """-d '{"scope": "personal", "code": "fh", "text": "亲，付款后48小时内发货哦"}' {base}/api/phrases""",
    ),
    ("导出团队短语（千牛 CSV）", "curl -u {login} -o team.csv {base}/api/export/team.csv"),
    ("考核方案及其版本（修改用 PUT，带上这个版本）", "curl -u {login} {base}/api/scorecard/model"),
)


def examples(*, base: str, user: str) -> list[dict[str, str]]:
    """The curl examples for this server and this reader (the password left for them to fill in)."""
    login = shlex.quote(f"{user}:{PASSWORD_PLACEHOLDER}")
    base = base.rstrip("/")
    return [
        {"title": title, "command": command.replace("{login}", login).replace("{base}", base)}
        for title, command in EXAMPLES
    ]


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " 或 ".join(_type(s) for s in schema["anyOf"] if s.get("type") != "null")
    if schema.get("type") == "array":
        return f"{_type(schema.get('items', {}))} 列表"
    return str(schema.get("format") or schema.get("type") or "任意")


def _body(doc: dict[str, Any], op: dict[str, Any]) -> dict[str, Any] | None:
    ref = (
        op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
    )
    if not ref:
        return None
    name = ref.rsplit("/", 1)[-1]
    schema = doc["components"]["schemas"][name]
    required = set(schema.get("required", []))
    return {
        "name": name,
        "fields": [
            {
                "name": key,
                "type": _type(prop),
                "required": key in required,
                "description": prop.get("description", ""),
            }
            for key, prop in schema.get("properties", {}).items()
        ],
    }


def docs_data(
    doc: dict[str, Any], *, base: str = "http://127.0.0.1:8000", user: str = "店长"
) -> dict[str, Any]:
    """Every operation of the OpenAPI document, in path order, as the docs page lists them, and the
    curl examples for the server at ``base`` as ``user`` would type them."""
    operations = []
    for path, methods in doc.get("paths", {}).items():
        for method, op in methods.items():
            operations.append(
                {
                    "id": op.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "params": [
                        {
                            "name": p["name"],
                            "where": WHERE.get(p["in"], p["in"]),
                            "type": _type(p.get("schema", {})),
                            "required": p.get("required", False),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": _body(doc, op),
                    "responses": [
                        (code, r.get("description", ""))
                        for code, r in op.get("responses", {}).items()
                        if code not in SKIPPED_RESPONSES
                    ],
                }
            )
    return {
        "description": doc.get("info", {}).get("description", ""),
        "operations": operations,
        "examples": examples(base=base, user=user),
        "password_placeholder": PASSWORD_PLACEHOLDER,
    }
