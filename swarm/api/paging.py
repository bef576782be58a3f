"""Pagination of the API's lists: ``?page=&per_page=`` (at most 100 a page). A page carries ``items``, its
numbers, the ``total`` and the URLs of the ``next`` and ``previous`` pages; the same URLs are in the ``Link``
header (RFC 8288, ``rel="next"`` / ``rel="prev"``)."""

from __future__ import annotations

from collections.abc import Sequence

from flask import request, url_for

LINK_HEADER = {
    "Link": {
        "description": 'The next and previous pages: <URL>; rel="next", <URL>; rel="prev"',
        "schema": {"type": "string"},
    }
}


def _url(page: int, per_page: int) -> str:
    return url_for(request.endpoint, **(request.view_args or {}), page=page, per_page=per_page)


def paginate(items: Sequence, args: dict) -> tuple[dict, dict]:
    """The page of ``items`` that ``args`` (page, per_page) asks for, and its Link header."""
    page, per_page = args["page"], args["per_page"]
    start = (page - 1) * per_page
    total = len(items)
    following = _url(page + 1, per_page) if start + per_page < total else None
    previous = _url(page - 1, per_page) if page > 1 else None
    links = [f'<{following}>; rel="next"'] if following else []
    links += [f'<{previous}>; rel="prev"'] if previous else []
    body = {
        "items": list(items[start : start + per_page]),
        "page": page,
        "per_page": per_page,
        "total": total,
        "next": following,
        "previous": previous,
    }
    return body, ({"Link": ", ".join(links)} if links else {})
