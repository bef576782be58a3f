"""``/api/v1/docs``: the OpenAPI document as a page in the reader's language frame (operations, parameters,
bodies, answers), served by the app itself: no script from elsewhere, readable at phone width."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("api_docs_page", __name__)

METHODS = ("get", "post", "put", "patch", "delete")


def _spec() -> dict:
    api = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    return api.spec.to_dict()


def _schema_name(content: dict | None) -> str:
    for media in (content or {}).values():
        schema = media.get("schema") or {}
        ref = schema.get("$ref", "")
        return ref.rsplit("/", 1)[-1] if ref else schema.get("type", "")
    return ""


@bp.get("/api/v1/docs")
def docs():
    spec = _spec()
    groups: dict[str, list[dict]] = {}
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = [
                {
                    "status": status,
                    "description": answer.get("description", ""),
                    "schema": _schema_name(answer.get("content")),
                }
                for status, answer in operation.get("responses", {}).items()
                if "$ref" not in answer
            ]
            body = operation.get("requestBody") or {}
            groups.setdefault((operation.get("tags") or ["api"])[0], []).append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [p for p in operation.get("parameters", []) if "$ref" not in p],
                    "body": _schema_name(body.get("content")),
                    "responses": responses,
                    "anchor": operation.get("operationId") or f"{method}-{path}",
                }
            )
    tags = {tag["name"]: tag.get("description", "") for tag in spec.get("tags", [])}
    return render_template(
        "api/docs.html",
        info=spec.get("info", {}),
        groups=groups,
        tags=tags,
        schemas=spec.get("components", {}).get("schemas", {}),
    )
