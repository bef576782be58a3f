"""Uploaded documents in the web app: the store, a larger request size for the upload routes only, the download.

Every other route keeps the app's small ``MAX_CONTENT_LENGTH`` (1 MB: forms only). The document upload allows a
10 MB file plus the form around it, only for a logged-in professional; the import upload the same for an
organizer or a coordinator. The limit must be raised before the CSRF
check reads the form, so :func:`init_uploads` is called before ``csrf.init_app``.
"""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

from swarm.domain.documents import MAX_DOCUMENT_BYTES
from swarm.domain.enums import UserRole
from swarm.persistence.files import DocumentStore
from swarm.services.exchange.pending import MAX_BYTES as MAX_IMPORT_BYTES

# The multipart envelope around the file (boundaries, the kind, the CSRF token): a file of 10 MB and one byte
# still reaches the service, which names the field; only a far larger body meets the 413 page.
FORM_OVERHEAD_BYTES = 64 * 1024
UPLOAD_REQUEST_BYTES = MAX_DOCUMENT_BYTES + FORM_OVERHEAD_BYTES
IMPORT_REQUEST_BYTES = MAX_IMPORT_BYTES + FORM_OVERHEAD_BYTES
# endpoint -> (the role that may send a large body there, its limit)
UPLOAD_ENDPOINTS = {
    "professional.upload_document": (UserRole.PROFESSIONAL, UPLOAD_REQUEST_BYTES),
    "organizer.import_upload": (UserRole.ORGANIZER, IMPORT_REQUEST_BYTES),
    "coordinator.import_upload": (UserRole.COORDINATOR, IMPORT_REQUEST_BYTES),
}


def document_store() -> DocumentStore:
    return DocumentStore(current_app.config["SWARM"].resolved_document_dir)


def _allow_upload() -> None:
    role, limit = UPLOAD_ENDPOINTS.get(request.endpoint or "", (None, None))
    if role is not None and current_user.is_authenticated and current_user.role == role:
        request.max_content_length = limit


def init_uploads(app) -> None:
    app.before_request(_allow_upload)


def download_response(document, content: bytes):
    """The file as an attachment, of the type its content showed at upload; never cached, never sniffed."""
    response = current_app.response_class(content, mimetype=document.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=document.file_name or "document")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
