"""``swarm round``: planning rounds from the command line (open, list, close), for operators beside the web app.

``COMMANDS`` is added to the ``swarm`` group in swarm/cli.py. Times are the region's wall-clock times
(Europe/Amsterdam). Bad input ends with one line naming the option and a non-zero exit, and writes nothing.

    swarm round open --region achterhoek --name "Zwermronde februari" --deadline 2027-01-25T17:00 \\
        --slot 2027-02-01T09:00/12:00 --slot 2027-02-01T13:30/16:30 [--venue CODE ...] [--time-limit 60]
    swarm round list [--region achterhoek]
    swarm round close --region achterhoek --round 3
"""

from __future__ import annotations

import re
from datetime import datetime, time

import click
from sqlmodel import select

from swarm.config import Config, ConfigError
from swarm.domain.actors import SYSTEM
from swarm.domain.errors import NotFound, ValidationError
from swarm.domain.timeutil import Clock, system_clock, to_local
from swarm.persistence.db import create_engine, unit_of_work
from swarm.persistence.models import Region, SwarmRequest, Venue
from swarm.services.lookup import region_by_slug
from swarm.services.plan import frame, rounds

# The commands' clock; tests set another (the web app's is its SWARM_CLOCK setting, the services take one).
clock: Clock = system_clock

SLOT = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{1,2}:\d{2})/(\d{1,2}:\d{2})")
PHASES = {
    "taking_requests": "taking requests",
    "planning": "poll closed, being planned",
    "published": "published",
    "closed": "closed",
}


def _config() -> Config:
    try:
        return Config.from_env()
    except ConfigError as problem:
        raise click.ClickException(str(problem)) from None


def _slot(text: str) -> tuple[datetime, datetime]:
    match = SLOT.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError
        day, start, end = match.groups()
        starts = datetime.fromisoformat(f"{day}T{start.zfill(5)}")
        return starts, datetime.combine(starts.date(), time.fromisoformat(end.zfill(5)))
    except ValueError:
        raise click.BadParameter(
            f"expected DAYTHH:MM/HH:MM like 2027-02-01T09:00/12:00, got {text!r}"
        ) from None


def _deadline(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(f"expected a day and time like 2027-01-25T17:00, got {text!r}") from None


def _option_of(field: str, slots: tuple[str, ...]) -> str:
    """The option a service's field is about: ``slots[1].starts_at`` is the second --slot."""
    match = re.match(r"slots\[(\d+)\]", field)
    if match and int(match.group(1)) < len(slots):
        return f"--slot {slots[int(match.group(1))]}"
    if field.endswith("venue_ids"):
        return "--venue"
    return {
        "availability_deadline": "--deadline",
        "time_limit_seconds": "--time-limit",
        "name": "--name",
        "slots": "--slot",
    }.get(field, field)


@click.group("round")
def round_group() -> None:
    """Open, list and close planning rounds."""


@round_group.command("open")
@click.option("--region", "region_slug", required=True, help="Region slug, e.g. achterhoek.")
@click.option("--name", required=True, help='Name of the round, e.g. "Zwermronde februari 2027".')
@click.option("--deadline", required=True, help="Availability deadline, e.g. 2027-01-25T17:00.")
@click.option(
    "--slot",
    "slots",
    multiple=True,
    required=True,
    help="A candidate slot, e.g. 2027-02-01T09:00/12:00; repeat it.",
)
@click.option(
    "--venue", "venues", multiple=True, help="Venue code; repeat it (default: every venue of the region)."
)
@click.option(
    "--time-limit", type=click.IntRange(1, 3600), help="Seconds the solve may take (default: the setting)."
)
def open_round(
    region_slug: str, name: str, deadline: str, slots: tuple[str, ...], venues: tuple[str, ...], time_limit
) -> None:
    """Open a planning round; waiting questions and those a published round left unplanned join it."""
    try:
        parsed = [_slot(text) for text in slots]
    except click.BadParameter as problem:
        raise click.ClickException(f"--slot: {problem.message}") from None
    try:
        the_deadline = _deadline(deadline)
    except click.BadParameter as problem:
        raise click.ClickException(f"--deadline: {problem.message}") from None
    engine = create_engine(_config().resolved_database_url)
    try:
        with unit_of_work(engine) as session:
            region = _region(session, region_slug)
            venue_ids = _venue_ids(session, region, venues)
            data = rounds.RoundInput(
                name=name,
                availability_deadline=the_deadline,
                slots=[rounds.SlotInput(start, end, venue_ids) for start, end in parsed],
                time_limit_seconds=time_limit,
            )
            try:
                opened = rounds.open_planning_round(session, region.id, data, actor=SYSTEM, clock=clock)
            except ValidationError as problem:
                raise click.ClickException(f"{_option_of(problem.field, slots)}: {problem.text}") from None
            joined = session.exec(
                select(SwarmRequest.id).where(SwarmRequest.planning_round_id == opened.id)
            ).all()
            click.echo(
                f"opened round {opened.sequence} of {region.slug}: {opened.name}, {len(parsed)} slot(s), "
                f"deadline {_local(opened.availability_deadline)}; {len(joined)} question(s) joined it"
            )
    finally:
        engine.dispose()


@round_group.command("list")
@click.option("--region", "region_slug", help="Region slug (default: every region).")
def list_rounds(region_slug: str | None) -> None:
    """The rounds of a region (or of every region), newest first."""
    engine = create_engine(_config().resolved_database_url)
    try:
        with unit_of_work(engine) as session:
            regions = (
                [_region(session, region_slug)]
                if region_slug
                else list(session.exec(select(Region).order_by(Region.slug)))
            )
            for region in regions:
                summaries = rounds.rounds_of_region(session, region.id, now=clock())
                if not summaries:
                    click.echo(f"{region.slug}: no rounds")
                for s in summaries:
                    r = s.planning_round
                    click.echo(
                        f"{region.slug}\t{r.sequence}\t{r.name}\t{PHASES[s.phase]}\t"
                        f"deadline {_local(r.availability_deadline)}\t{s.slots} slot(s)\t{s.requests} question(s)"
                    )
                waiting = rounds.waiting_requests(session, region.id)
                if waiting:
                    click.echo(f"{region.slug}: {len(waiting)} question(s) wait for the next round")
    finally:
        engine.dispose()


@round_group.command("close")
@click.option("--region", "region_slug", required=True, help="Region slug.")
@click.option(
    "--round", "sequence", type=int, required=True, help="The round's number (see swarm round list)."
)
def close_round(region_slug: str, sequence: int) -> None:
    """Close a round whose sessions have taken place; what it left unplanned moves on to the next round."""
    engine = create_engine(_config().resolved_database_url)
    try:
        with unit_of_work(engine) as session:
            region = _region(session, region_slug)
            try:
                planning_round = rounds.round_numbered(session, region.id, sequence)
                rounds.close_planning_round(session, planning_round.id, actor=SYSTEM, clock=clock)
            except ValidationError as problem:
                option = "--round" if problem.field in ("round", "status") else problem.field
                raise click.ClickException(f"{option}: {problem.text}") from None
            click.echo(f"closed round {planning_round.sequence} of {region.slug}: {planning_round.name}")
    finally:
        engine.dispose()


def _region(session, slug: str) -> Region:
    try:
        return region_by_slug(session, slug)
    except NotFound:
        raise click.ClickException(f"--region: no region {slug!r}") from None


def _venue_ids(session, region: Region, codes: tuple[str, ...]) -> list[int]:
    """The venues named by code, or every active venue of the region."""
    if not codes:
        venues = frame.region_venues(session, region.id)
        if not venues:
            raise click.ClickException(f"--venue: {region.slug} has no venues yet")
        return [v.id for v in venues]
    found = {
        v.code: v.id
        for v in session.exec(select(Venue).where(Venue.region_id == region.id, Venue.code.in_(list(codes))))
    }
    for code in codes:
        if code not in found:
            raise click.ClickException(f"--venue: {region.slug} has no venue {code!r}")
    return [found[code] for code in codes]


def _local(moment: datetime) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M")


COMMANDS = [round_group]
