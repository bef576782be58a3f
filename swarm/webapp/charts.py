"""The geometry of the organizer's charts, drawn as inline SVG by the templates (``organizer/_charts.html``).

No chart library and no script: these functions place boxes and bars in a coordinate space (the SVG's
``viewBox``), the templates write the words (in the reader's language) and the markup. Each chart has a table beside
it with the same facts, which is the text alternative; the charts carry ``<title>`` and ``role="img"`` labels.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

FILL_LEVELS = (("low", 0.5), ("mid", 0.9))  # below half the seats: low; below 90 %: mid; else full
TABLE_COLOURS = 6  # table colours in app.css (.seat-0 ... .seat-5); more tables repeat them with their number


def short(text: str, length: int) -> str:
    """``text`` cut to ``length`` characters with an ellipsis (the whole text goes into the element's title)."""
    return text if len(text) <= length else text[: max(length - 1, 1)].rstrip() + "…"


def fill_level(ratio: float) -> str:
    for name, below in FILL_LEVELS:
        if ratio < below:
            return name
    return "full"


# -- the timeline: slots (rows) by venues (columns) ------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    x: int
    y: int
    width: int
    height: int
    view: Any  # the SessionView
    titles: str
    seated: int
    seats: int

    @property
    def level(self) -> str:
        return fill_level(self.seated / self.seats if self.seats else 1.0)

    @property
    def ratio(self) -> int:
        """Seated people as a whole percentage of the seats."""
        return round(100 * self.seated / self.seats) if self.seats else 100


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    label_width: int
    header_height: int
    columns: list[tuple[int, Any, str]]  # (x of the column's middle, venue, short name)
    rows: list[tuple[int, Any]]  # (y of the row's middle, slot)
    blocks: list[Block]
    row_height: int
    column_width: int


def seated_and_seats(view) -> tuple[int, int]:
    """The most people at the session's tables in any round, and the seats its tables offer (largest sizes)."""
    seated = max((sum(len(t.rounds[i]) for t in view.tables) for i in range(view.session.rounds)), default=0)
    return seated, sum(t.request.table_size_max for t in view.tables)


def timeline(views, *, label_width: int = 150, column_width: int = 200, row_height: int = 64) -> Timeline:
    slots = sorted({v.slot.id: v.slot for v in views}.values(), key=lambda s: s.starts_at)
    venues = sorted({v.venue.id: v.venue for v in views}.values(), key=lambda v: v.name)
    header = 40
    column_of = {venue.id: i for i, venue in enumerate(venues)}
    row_of = {slot.id: i for i, slot in enumerate(slots)}
    blocks = []
    for view in views:
        seated, seats = seated_and_seats(view)
        blocks.append(
            Block(
                x=label_width + column_of[view.venue.id] * column_width + 4,
                y=header + row_of[view.slot.id] * row_height + 4,
                width=column_width - 8,
                height=row_height - 8,
                view=view,
                titles=", ".join(t.request.title for t in view.tables),
                seated=seated,
                seats=seats,
            )
        )
    return Timeline(
        width=label_width + max(len(venues), 1) * column_width,
        height=header + max(len(slots), 1) * row_height,
        label_width=label_width,
        header_height=header,
        columns=[
            (label_width + i * column_width + column_width // 2, venue, short(venue.name, 24))
            for i, venue in enumerate(venues)
        ],
        rows=[(header + i * row_height + row_height // 2, slot) for i, slot in enumerate(slots)],
        blocks=blocks,
        row_height=row_height,
        column_width=column_width,
    )


# -- the seat chart of one session: people (rows) by rounds (columns) ------------------------------------------


@dataclass(frozen=True)
class SeatCell:
    x: int
    round: int  # 1-based
    table: Any | None  # the TableView the person sits at in this round (None: not seated)
    number: int  # the table's number on the page
    colour: int


@dataclass(frozen=True)
class SeatRow:
    y: int
    person: Any
    cells: list[SeatCell]
    moves: int  # how often the person changes table between rounds


@dataclass(frozen=True)
class SeatChart:
    width: int
    height: int
    name_width: int
    header_height: int
    cell_width: int
    row_height: int
    rounds: list[tuple[int, int]]  # (x of the column's middle, round number)
    rows: list[SeatRow]
    tables: list[tuple[int, Any, int]] = field(default_factory=list)  # (number, TableView, colour)


def seat_chart(view, *, name_width: int = 170, cell_width: int = 72, row_height: int = 26) -> SeatChart:
    header = 30
    numbers = {id(t): t.table.position or i + 1 for i, t in enumerate(view.tables)}
    colours = {id(t): i % TABLE_COLOURS for i, t in enumerate(view.tables)}
    seats: dict[int, dict[int, Any]] = {}
    people: dict[int, Any] = {}
    for table in view.tables:
        for index, round_people in enumerate(table.rounds):
            for person in round_people:
                people[person.id] = person
                seats.setdefault(person.id, {})[index + 1] = table
    rows = []
    for i, person in enumerate(sorted(people.values(), key=lambda p: p.name)):
        cells = []
        for r in range(1, view.session.rounds + 1):
            table = seats[person.id].get(r)
            cells.append(
                SeatCell(
                    x=name_width + (r - 1) * cell_width,
                    round=r,
                    table=table,
                    number=numbers[id(table)] if table is not None else 0,
                    colour=colours[id(table)] if table is not None else 0,
                )
            )
        path = [c.number for c in cells if c.table is not None]
        rows.append(
            SeatRow(
                y=header + i * row_height,
                person=person,
                cells=cells,
                moves=sum(1 for a, b in zip(path, path[1:], strict=False) if a != b),
            )
        )
    return SeatChart(
        width=name_width + max(view.session.rounds, 1) * cell_width,
        height=header + max(len(rows), 1) * row_height,
        name_width=name_width,
        header_height=header,
        cell_width=cell_width,
        row_height=row_height,
        rounds=[
            (name_width + (r - 1) * cell_width + cell_width // 2, r)
            for r in range(1, view.session.rounds + 1)
        ],
        rows=rows,
        tables=[(numbers[id(t)], t, colours[id(t)]) for t in view.tables],
    )


# -- horizontal bars: coverage of the needs, invitations per person --------------------------------------------


@dataclass(frozen=True)
class Bar:
    y: int
    width: int
    item: Any
    mark: int | None = None  # x of a marker (what is asked), relative to the bars' start


@dataclass(frozen=True)
class Bars:
    width: int
    height: int
    label_width: int
    bar_width: int
    row_height: int
    bars: list[Bar]


def coverage_bars(
    items: list[dict], *, label_width: int = 250, bar_width: int = 230, row_height: int = 30
) -> Bars:
    """One bar per table and need: the fewest present in any round, with a mark at the number asked."""
    top = max((max(c["fewest"], c["need"].count) for c in items), default=1) or 1
    return Bars(
        width=label_width + bar_width + 90,
        height=max(len(items), 1) * row_height + 8,
        label_width=label_width,
        bar_width=bar_width,
        row_height=row_height,
        bars=[
            Bar(
                y=4 + i * row_height,
                width=round(bar_width * c["fewest"] / top),
                item=c,
                mark=round(bar_width * c["need"].count / top),
            )
            for i, c in enumerate(items)
        ],
    )


@dataclass(frozen=True)
class Bucket:
    invitations: int
    people: int


def invitation_histogram(
    counts: list[int], *, label_width: int = 150, bar_width: int = 260, row_height: int = 30
) -> Bars:
    """How many people had 0, 1, 2, ... invitations (every count up to the largest, so gaps show)."""
    tally = Counter(counts)
    buckets = [Bucket(k, tally.get(k, 0)) for k in range(max(counts, default=0) + 1)] if counts else []
    top = max((b.people for b in buckets), default=1) or 1
    return Bars(
        width=label_width + bar_width + 110,
        height=max(len(buckets), 1) * row_height + 8,
        label_width=label_width,
        bar_width=bar_width,
        row_height=row_height,
        bars=[
            Bar(y=4 + i * row_height, width=round(bar_width * b.people / top), item=b)
            for i, b in enumerate(buckets)
        ],
    )
