"""Import a file of professionals, role-book entries, venues or swarm requests: all or nothing.

``import_file`` reads the file (CSV or ``.xlsx``), matches its header, converts every cell, checks every row with
the services' own rules and reports each row's outcome (new, update, unchanged) or its errors by line and column.
Only when no row has an error are the rows stored (``store=True``); one bad row means nothing is stored. Rows
are matched to existing records (professionals by KvK number, else e-mail; roles by name; venues by name;
requests by title), so importing the same file again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlmodel import Session

from swarm.domain.actors import Actor
from swarm.domain.errors import N_, NotAllowed, ValidationError
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.models import Municipality, Region
from swarm.services.exchange import professionals, requests, rolebook, venues
from swarm.services.exchange.columns import KINDS, CellProblem, Columns, HeaderMatch, match_headers
from swarm.services.exchange.report import (
    ImportContext,
    ImportReport,
    ImportScope,
    Outcome,
    ParsedRow,
    RowError,
    RowResult,
)
from swarm.services.exchange.tables import FileProblem, Table, read_table
from swarm.services.lookup import get


@dataclass(frozen=True)
class Kind:
    columns: Columns
    check: Callable[[ImportContext, list[ParsedRow]], list[RowResult]]
    store: Callable[[ImportContext, list[RowResult]], list[int]]
    per_municipality: (
        bool  # role books and requests belong to a municipality; professionals, venues to a region
    )


IMPORTS = {
    "professionals": Kind(KINDS["professionals"], professionals.check, professionals.store, False),
    "roles": Kind(KINDS["roles"], rolebook.check, rolebook.store, True),
    "venues": Kind(KINDS["venues"], venues.check, venues.store, False),
    "requests": Kind(KINDS["requests"], requests.check, requests.store, True),
}


def authorize(session: Session, kind: str, scope: ImportScope, actor: Actor) -> None:
    """Organizers import their region's professionals and venues; coordinators their municipality's role book and
    requests; the command line (the system) anything, per municipality named in the file."""
    if kind not in IMPORTS:
        raise ValidationError("kind", N_("Unknown kind of import."))
    get(session, Region, scope.region_id)
    if not IMPORTS[kind].per_municipality:
        actor.require_region(scope.region_id)
        return
    if scope.municipality_id is None:
        if not actor.is_system:
            raise NotAllowed("Only a municipality's coordinator imports its role book and requests.")
        return
    municipality = get(session, Municipality, scope.municipality_id)
    if municipality.region_id != scope.region_id:
        raise ValidationError("municipality", N_("This municipality belongs to another region."))
    actor.require_municipality(municipality.id)


def import_file(
    session: Session,
    kind: str,
    data: bytes,
    scope: ImportScope,
    *,
    mapping: Mapping[str, str] | None = None,
    store: bool = True,
    actor: Actor,
    clock: Clock = system_clock,
) -> ImportReport:
    """Check every row of ``data`` and, with ``store`` and not one error, store them all (flush only).

    ``mapping``: for headers that name no field, header as written -> field key ("" ignores the column)."""
    authorize(session, kind, scope, actor)
    spec = IMPORTS[kind]
    report = ImportReport(kind)
    try:
        table = read_table(data)
        match = match_headers(table.header, spec.columns, mapping)
    except FileProblem as problem:
        report.problems.append(RowError(0, "", problem.message, problem.params))
        return report
    report.unknown_headers, report.headers, report.file_format = (
        match.unknown,
        match.headers,
        table.file_format,
    )
    for key in match.missing:
        column = spec.columns.by_key(key)
        report.problems.append(
            RowError(
                1,
                column.nl,
                N_("The column %(column)s is missing."),
                {"column": f"{column.nl} ({column.en})"},
            )
        )
    if report.problems:
        return report
    if not table.rows:
        report.problems.append(RowError(0, "", N_("The file has a header but no rows.")))
        return report
    context = ImportContext(session, scope, spec.columns, match.headers, actor, clock)
    rows = parse_rows(table, spec.columns, match)
    report.rows = spec.check(context, rows)
    if store and report.ok and any(row.outcome in (Outcome.NEW, Outcome.UPDATE) for row in report.rows):
        try:
            with session.begin_nested():  # a refusal while storing undoes every row of the file
                report.stored_ids = spec.store(context, report.rows)
        except ValidationError as error:
            report.problems.append(RowError(0, "", error.message, error.params))
            return report
        report.stored = True
    return report


def parse_rows(table: Table, columns: Columns, match: HeaderMatch) -> list[ParsedRow]:
    """Every row's cells converted to values; a cell that cannot be is an error at its line and column."""
    converters = {index: columns.by_key(key).convert for index, key in match.fields.items()}
    required = {column.key for column in columns if column.required}
    parsed = []
    for row in table.rows:
        result = ParsedRow(row.line, {})
        for index, key in match.fields.items():
            cell = row.cells[index] if index < len(row.cells) else ""
            if not cell and key in required:
                result.errors.append(RowError(row.line, match.headers[key], N_("This field is required.")))
                continue
            try:
                result.values[key] = converters[index](cell)
            except CellProblem as problem:
                result.errors.append(RowError(row.line, match.headers[key], problem.message, problem.params))
        parsed.append(result)
    return parsed
