"""``swarm import KIND FILE --region SLUG`` and ``swarm export professionals --region SLUG -o FILE``.

``COMMANDS`` is added to the ``swarm`` group in swarm/cli.py. An import prints every row's outcome and every
error with its line and column; one bad row means nothing is stored (exit status 1).
"""

from __future__ import annotations

from pathlib import Path

import click
from sqlmodel import select

from swarm.config import Config, ConfigError
from swarm.domain.actors import SYSTEM
from swarm.domain.errors import NotFound, ValidationError
from swarm.domain.timeutil import system_clock
from swarm.persistence.db import create_engine, unit_of_work
from swarm.persistence.models import Municipality
from swarm.services.exchange.exporting import export_professionals, file_format
from swarm.services.exchange.importing import IMPORTS, import_file
from swarm.services.exchange.invitations import invite_imported
from swarm.services.exchange.report import ImportReport, ImportScope, Outcome
from swarm.services.lookup import region_by_slug


def _config() -> Config:
    try:
        return Config.from_env()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def _mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        header, sep, field = pair.partition("=")
        if not sep:
            raise click.ClickException(f'--map: write "Header=field", not {pair!r}')
        mapping[header.strip()] = field.strip()
    return mapping


def _print(report: ImportReport, name: str) -> None:
    counts = report.counts()
    click.echo(
        f"{name}: {counts[Outcome.NEW]} new, {counts[Outcome.UPDATE]} to update, "
        f"{counts[Outcome.UNCHANGED]} unchanged, {counts[Outcome.ERROR]} with errors"
    )
    for header in report.unknown_headers:
        click.echo(f'column "{header}" names no field and is ignored (--map "{header}=FIELD" to use it)')
    for row in report.rows:
        if row.outcome is Outcome.UPDATE:
            click.echo(f"line {row.line}: update {row.label} ({', '.join(row.changed)})")
    for error in report.errors:
        where = f"line {error.line}" if error.line else "file"
        column = f', column "{error.column}"' if error.column else ""
        click.echo(f"{where}{column}: {error.text}", err=True)


@click.command("import")
@click.argument("kind", type=click.Choice(sorted(IMPORTS)))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--region", "region_slug", required=True, help="Region slug, e.g. achterhoek.")
@click.option("--municipality", help="Roles and requests: the municipality (name or CBS code) for every row.")
@click.option(
    "--map",
    "mappings",
    multiple=True,
    help='A header that names no field: "Header=field" ("Header=" ignores it).',
)
@click.option("--dry-run", is_flag=True, help="Check and report every row; store nothing.")
def import_command(
    kind: str,
    file: Path,
    region_slug: str,
    municipality: str | None,
    mappings: tuple[str, ...],
    dry_run: bool,
) -> None:
    """Import professionals, roles, venues or requests from a CSV or .xlsx file: all rows or none."""
    config = _config()
    data = file.read_bytes()
    engine = create_engine(config.resolved_database_url)
    try:
        with unit_of_work(engine) as session:
            region = region_by_slug(session, region_slug)
            municipality_id = None
            if municipality:
                found = session.exec(
                    select(Municipality).where(
                        Municipality.region_id == region.id,
                        (Municipality.cbs_code == municipality.upper()) | (Municipality.name == municipality),
                    )
                ).first()
                if found is None:
                    raise click.ClickException(
                        f"--municipality: {region.name} has no municipality {municipality!r}"
                    )
                municipality_id = found.id
            report = import_file(
                session,
                kind,
                data,
                ImportScope(region.id, municipality_id),
                mapping=_mapping(mappings),
                store=not dry_run,
                actor=SYSTEM,
                clock=system_clock,
            )
            _print(report, file.name)
            if not report.ok:
                raise click.ClickException("nothing stored: one bad row means none is (fix the rows above)")
            if report.stored and kind == "professionals":
                mails = invite_imported(session, report.stored_ids, config=config, clock=system_clock)
                click.echo(f"{mails} invitation(s) to confirm the profile in the outbox")
    except NotFound as error:
        raise click.ClickException(f"--region: no region {error.ident!r}") from None
    except ValidationError as error:
        raise click.ClickException(f"{error.field}: {error.text}") from None
    finally:
        engine.dispose()
    click.echo("dry run: nothing stored" if dry_run else ("stored" if report.stored else "nothing to change"))


@click.group("export")
def export_group() -> None:
    """Export data as CSV or .xlsx."""


@export_group.command("professionals")
@click.option("--region", "region_slug", required=True, help="Region slug.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_professionals_command(region_slug: str, output: Path) -> None:
    """The region's professionals in the columns the import reads (.csv or .xlsx by the file name)."""
    try:
        fmt = file_format(output.name)
    except ValidationError:
        raise click.ClickException("-o: name a .csv or .xlsx file") from None
    engine = create_engine(_config().resolved_database_url)
    try:
        with unit_of_work(engine) as session:
            exported = export_professionals(
                session, region_by_slug(session, region_slug).id, fmt, actor=SYSTEM
            )
    except NotFound as error:
        raise click.ClickException(f"--region: no region {error.ident!r}") from None
    finally:
        engine.dispose()
    try:
        output.write_bytes(exported.content)
    except OSError as error:
        raise click.ClickException(f"-o: cannot write {output}: {error.strerror or error}") from None
    click.echo(f"wrote {output}")


COMMANDS = [import_command, export_group]
