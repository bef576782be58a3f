"""Uploaded documents in the web app: the store, a larger request size for the upload route only, the download.

Every other route keeps the app's small ``MAX_CONTENT_LENGTH`` (forms only). The upload route allows a 10 MB
file plus the form around it, and only for a logged-in professional. The limit must be raised before the CSRF
check reads the form, so :func:`init_uploads` is called before ``csrf.init_app``.
"""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

from swarm.domain.documents import MAX_DOCUMENT_BYTES
from swarm.domain.enums import UserRole
from swarm.persistence.files import DocumentStore

UPLOAD_ENDPOINTS = frozenset({"professional.upload_document"})
# The multipart envelope around the file (boundaries, the kind, the CSRF token): a file of 10 MB and one byte
# still reaches the service, which names the field; only a far larger body meets the 413 page.
FORM_OVERHEAD_BYTES = 64 * 1024
UPLOAD_REQUEST_BYTES = MAX_DOCUMENT_BYTES + FORM_OVERHEAD_BYTES


def document_store() -> DocumentStore:
    return DocumentStore(current_app.config["SWARM"].resolved_document_dir)


def _allow_document_upload() -> None:
    if (
        request.endpoint in UPLOAD_ENDPOINTS
        and current_user.is_authenticated
        and current_user.role == UserRole.PROFESSIONAL
    ):
        request.max_content_length = UPLOAD_REQUEST_BYTES


def init_uploads(app) -> None:
    app.before_request(_allow_document_upload)


def download_response(document, content: bytes):
    """The file as an attachment, of the type its content showed at upload; never cached, never sniffed."""
    response = current_app.response_class(content, mimetype=document.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=document.file_name or "document")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
