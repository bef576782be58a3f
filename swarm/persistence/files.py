"""The document store: uploaded files in one folder outside the web root (``SWARM_DOCUMENT_DIR``).

Files are named by a random id, never by what the sender called them, and written atomically (a temporary file
in the same folder, synced, then renamed), so a reader never sees half a file. They follow the transaction of
the row that names them: a file written for a row that is never committed is removed when that transaction ends
(rolled back, or the process went away: :func:`DocumentStore.orphans` finds those for the retention job), and a
file whose row was removed is deleted only after that removal is committed, so a rolled-back erasure loses
nothing.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

_FILE_ID = re.compile(r"[0-9a-f]{32}")
_TEMPORARY_PREFIX = ".upload-"
_PENDING_KEY = "swarm_document_files"


@dataclass
class _Pending:
    """What the session's current transaction did to the store."""

    written: list[Path] = field(default_factory=list)  # remove if the transaction does not commit
    removed: list[Path] = field(default_factory=list)  # remove once it has committed


def _pending(session: Session) -> _Pending:
    pending = session.info.get(_PENDING_KEY)
    if pending is None:
        pending = session.info[_PENDING_KEY] = _Pending()
        sa.event.listen(session, "after_commit", _after_commit)
        sa.event.listen(session, "after_transaction_end", _after_transaction_end)
    return pending


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


def _after_commit(session: Session) -> None:
    pending = session.info[_PENDING_KEY]
    for path in pending.removed:
        _unlink(path)
    pending.written.clear()
    pending.removed.clear()


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is not None:  # a savepoint: the outer transaction decides
        return
    pending = session.info[_PENDING_KEY]
    for path in pending.written:  # still here: the transaction ended without a commit
        _unlink(path)
    pending.written.clear()
    pending.removed.clear()


class DocumentStore:
    """The folder of uploaded documents. Give it the session whose transaction the change belongs to."""

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)

    def path(self, file_id: str) -> Path:
        if not _FILE_ID.fullmatch(file_id or ""):
            raise ValueError(f"not a document file id: {file_id!r}")
        return self.directory / file_id

    def save(self, session: Session, content: bytes) -> str:
        """Write ``content`` under a new random id (returned); removed again unless ``session`` commits."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        file_id = secrets.token_hex(16)
        descriptor, temporary = tempfile.mkstemp(dir=self.directory, prefix=_TEMPORARY_PREFIX)  # mode 0600
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path(file_id))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self._sync_directory()
        _pending(session).written.append(self.path(file_id))
        return file_id

    def read(self, file_id: str) -> bytes:
        """The stored content; ``FileNotFoundError`` when the file is gone."""
        return self.path(file_id).read_bytes()

    def discard(self, session: Session, file_id: str | None) -> None:
        """Delete the file once ``session`` commits the removal of its row (nothing for a row without file)."""
        if file_id:
            _pending(session).removed.append(self.path(file_id))

    def file_ids(self) -> set[str]:
        """The ids of the files in the folder (temporary files of uploads in progress not included)."""
        if not self.directory.is_dir():
            return set()
        return {entry.name for entry in self.directory.iterdir() if _FILE_ID.fullmatch(entry.name)}

    def orphans(self, known: set[str], *, older_than: float) -> list[str]:
        """Files (and left-over temporary files) no row names, last changed before the POSIX time
        ``older_than``: an upload in progress is younger."""
        if not self.directory.is_dir():
            return []
        found = []
        for entry in self.directory.iterdir():
            named = _FILE_ID.fullmatch(entry.name) is not None
            if not (named or entry.name.startswith(_TEMPORARY_PREFIX)) or (named and entry.name in known):
                continue
            if entry.stat().st_mtime < older_than:
                found.append(entry.name)
        return sorted(found)

    def remove_now(self, name: str) -> None:
        """Delete a file outside any transaction (the retention job's sweep of orphans)."""
        if _FILE_ID.fullmatch(name) or name.startswith(_TEMPORARY_PREFIX):
            _unlink(self.directory / Path(name).name)

    def _sync_directory(self) -> None:
        """Make the rename itself durable (POSIX); skipped where directories cannot be opened."""
        try:
            descriptor = os.open(self.directory, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
