"""The charts' geometry: fill levels, who moves between tables, bars to scale, a histogram without gaps."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace

from swarm.webapp import charts


@dataclass
class Person:
    id: int
    name: str


@dataclass
class TableView:
    position: int
    title: str
    size: int
    rounds: list[list[Person]]
    table: SimpleNamespace = field(init=False)
    request: SimpleNamespace = field(init=False)

    def __post_init__(self):
        self.table = SimpleNamespace(position=self.position)
        self.request = SimpleNamespace(title=self.title, table_size_max=self.size)


def _session(slot_id, venue_id, tables, rounds):
    return SimpleNamespace(
        session=SimpleNamespace(id=slot_id * 10 + venue_id, rounds=rounds),
        slot=SimpleNamespace(id=slot_id, starts_at=datetime(2027, 1, slot_id, 9, tzinfo=UTC)),
        venue=SimpleNamespace(id=venue_id, name=f"Gemeentehuis {venue_id}"),
        tables=tables,
    )


ANNA, BRAM, CEES = Person(1, "Anna"), Person(2, "Bram"), Person(3, "Cees")


def test_fill_levels_split_at_half_and_ninety_percent():
    assert [charts.fill_level(r) for r in (0.0, 0.49, 0.5, 0.89, 0.9, 1.0)] == [
        "low",
        "low",
        "mid",
        "mid",
        "full",
        "full",
    ]


def test_the_timeline_puts_each_session_in_its_slot_row_and_venue_column():
    early = _session(1, 2, [TableView(1, "Water", 4, [[ANNA, BRAM]])], 1)
    late = _session(2, 1, [TableView(1, "Wonen", 2, [[CEES, ANNA]])], 1)
    chart = charts.timeline([late, early])
    assert [slot.id for _y, slot in chart.rows] == [1, 2]
    assert [venue.id for _x, venue, _name in chart.columns] == [1, 2]
    by_title = {block.titles: block for block in chart.blocks}
    assert by_title["Water"].x > by_title["Wonen"].x and by_title["Water"].y < by_title["Wonen"].y
    assert (by_title["Water"].level, by_title["Water"].ratio) == ("mid", 50)
    assert (by_title["Wonen"].level, by_title["Wonen"].ratio) == ("full", 100)
    assert chart.width == chart.label_width + 2 * chart.column_width


def test_the_seat_chart_shows_who_moves_to_which_table_each_round():
    water = TableView(1, "Water", 4, [[ANNA, BRAM], [BRAM], [ANNA]])
    wonen = TableView(2, "Wonen", 4, [[CEES], [ANNA, CEES], [BRAM, CEES]])
    chart = charts.seat_chart(_session(1, 1, [water, wonen], 3))
    rows = {row.person.name: row for row in chart.rows}
    assert list(rows) == ["Anna", "Bram", "Cees"]
    assert [c.number for c in rows["Anna"].cells] == [1, 2, 1] and rows["Anna"].moves == 2
    assert [c.number for c in rows["Bram"].cells] == [1, 1, 2] and rows["Bram"].moves == 1
    assert rows["Cees"].moves == 0 and {c.colour for c in rows["Cees"].cells} == {1}
    assert [number for number, _t, _c in chart.tables] == [1, 2]
    sparse = charts.seat_chart(_session(1, 1, [TableView(1, "Water", 4, [[ANNA], []])], 2))
    [anna] = sparse.rows
    assert anna.cells[1].table is None and anna.moves == 0  # not seated in round 2


def test_coverage_bars_are_to_scale_with_a_mark_at_what_is_asked():
    need = SimpleNamespace(count=4)
    bars = charts.coverage_bars(
        [{"fewest": 2, "need": need}, {"fewest": 4, "need": SimpleNamespace(count=1)}]
    )
    assert [b.width for b in bars.bars] == [bars.bar_width // 2, bars.bar_width]
    assert [b.mark for b in bars.bars] == [bars.bar_width, round(bars.bar_width / 4)]


def test_the_histogram_counts_people_per_number_of_invitations_without_gaps():
    bars = charts.invitation_histogram([0, 0, 3, 1, 0])
    assert [(b.item.invitations, b.item.people) for b in bars.bars] == [(0, 3), (1, 1), (2, 0), (3, 1)]
    assert bars.bars[0].width == bars.bar_width and bars.bars[2].width == 0
    assert charts.invitation_histogram([]).bars == []


def test_long_names_are_shortened_with_an_ellipsis():
    assert charts.short("Gemeentehuis Oude IJsselstreek", 12) == "Gemeentehui…"
    assert charts.short("Kort", 12) == "Kort"
