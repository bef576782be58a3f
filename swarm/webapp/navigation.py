"""Safe redirects: only to pages of this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def safe_next(target: str | None, fallback: str) -> str:
    """Return the local part of `target` when it points at this site, else `fallback`."""
    if not target or target.startswith("//") or "\\" in target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return fallback
    if parts.netloc and parts.netloc != request.host:
        return fallback
    if not parts.path.startswith("/"):
        return fallback
    return parts.path + (f"?{parts.query}" if parts.query else "")
