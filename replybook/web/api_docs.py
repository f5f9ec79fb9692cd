"""The API's documentation page, read from its OpenAPI document (served locally: no CDN needed)."""

from __future__ import annotations

from typing import Any

WHERE = {"path": "路径", "query": "查询参数", "header": "请求头"}
SKIPPED_RESPONSES = {"200", "201", "422"}


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


def docs_data(doc: dict[str, Any]) -> dict[str, Any]:
    """Every operation of the OpenAPI document, in path order, as the docs page lists them."""
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
    return {"description": doc.get("info", {}).get("description", ""), "operations": operations}
