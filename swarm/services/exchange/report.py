"""What an import found: every row's outcome (new, update, unchanged, error) and each error by line and column.

Plain data, returned by the import services to the web pages, the command line and the JSON API alike. Messages
are English with ``%(name)s`` placeholders and their ``params``: the edge words them in the reader's language.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from swarm.domain.actors import Actor
from swarm.domain.errors import ValidationError
from swarm.services.exchange.columns import Columns


class Outcome(StrEnum):
    NEW = "new"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass(frozen=True)
class RowError:
    """One problem: the file's line (0: the file as a whole), the column as its header reads, the message."""

    line: int
    column: str
    message: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.message % dict(self.params) if self.params else self.message


@dataclass
class RowResult:
    line: int
    label: str  # what the row is about, e.g. the professional's name
    outcome: Outcome
    errors: list[RowError] = field(default_factory=list)
    changed: tuple[str, ...] = ()  # for an update: the headers of the columns whose values change
    payload: Any = field(default=None, repr=False, compare=False)  # what storing the row needs


@dataclass(frozen=True)
class ImportScope:
    """Where rows go: a region, and for role books and requests possibly one fixed municipality of it."""

    region_id: int
    municipality_id: int | None = None


@dataclass
class ImportReport:
    kind: str
    rows: list[RowResult] = field(default_factory=list)
    problems: list[RowError] = field(default_factory=list)  # about the file as a whole (header, format)
    unknown_headers: tuple[str, ...] = ()  # columns that name no field and were ignored
    headers: Mapping[str, str] = field(default_factory=dict)  # field key -> the file's header
    file_format: str = ""
    stored: bool = False
    stored_ids: list[int] = field(default_factory=list)  # the records created or updated

    @property
    def errors(self) -> list[RowError]:
        return [*self.problems, *(error for row in self.rows for error in row.errors)]

    @property
    def ok(self) -> bool:
        return not self.problems and all(row.outcome is not Outcome.ERROR for row in self.rows)

    def counts(self) -> dict[Outcome, int]:
        counted = Counter(row.outcome for row in self.rows)
        return {outcome: counted.get(outcome, 0) for outcome in Outcome}


@dataclass
class ParsedRow:
    """A row's converted values (field key -> value; a missing or empty cell: no key or None) and the cells that
    could not be converted."""

    line: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None else value


@dataclass
class ImportContext:
    """What every kind of import checks and stores with."""

    session: Session
    scope: ImportScope
    columns: Columns
    headers: Mapping[str, str]
    actor: Actor
    clock: Callable[[], datetime]

    def header(self, key: str) -> str:
        """The column's header as the file writes it (or the Dutch one, for a field the file has no column for)."""
        return self.headers.get(key) or self.columns.by_key(key).nl

    def error(self, row: ParsedRow, key: str, message: str, **params: object) -> None:
        row.errors.append(
            RowError(
                row.line, self.header(key) if key else "", message, {k: str(v) for k, v in params.items()}
            )
        )

    def service_error(self, row: ParsedRow, error: ValidationError, fields: Mapping[str, str]) -> None:
        """A service's refusal, at the column of the field it names (``fields``: service field -> column key;
        ``skills.x`` is looked up as ``skills``)."""
        key = fields.get(error.field) or fields.get(error.field.split(".")[0].split("[")[0], "")
        self.error(row, key, error.message, **error.params)


def changed_headers(context: ImportContext, old: Mapping, new: Mapping) -> tuple[str, ...]:
    """The headers of the columns (field key -> value in both) whose values differ."""
    return tuple(context.header(key) for key in new if old.get(key) != new[key])
