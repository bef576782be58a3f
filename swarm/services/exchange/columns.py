"""The columns each kind of import reads (and each export writes), with their Dutch and English headers.

Pure code, no database. A header is recognised in Dutch or English, in any order and whatever its case, accents,
spaces or punctuation ("E-mailadres", "email", "E-mail address"); a header that names no field is *unknown*, and
the person importing may map it to a field once (``mapping``: header as written -> field key, or "" to ignore).
Cell values are converted here (whole numbers, yes/no, skill lists, dates); the rules on what a value may be are
the services', applied when the rows are checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from swarm.domain.errors import N_
from swarm.seed.places import name_key
from swarm.services.exchange.tables import FileProblem


class CellProblem(ValueError):
    """A cell that cannot be converted; ``message`` is English with ``%(name)s`` placeholders."""

    def __init__(self, message: str, **params: object):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = {key: str(value) for key, value in params.items()}


def header_key(text: str) -> str:
    """The form in which two spellings of a header are equal: no case, accents, spaces or punctuation."""
    return name_key(text)


# -- converters: cell text -> value (None for an empty cell) -------------------------------------------------------


def text(value: str) -> str | None:
    return value or None


def whole_number(value: str) -> int | None:
    if not value:
        return None
    cleaned = value.replace(" ", "").replace("€", "")
    if re.fullmatch(r"[+-]?[0-9]+([.,]0+)?", cleaned):
        return int(re.split(r"[.,]", cleaned)[0])
    raise CellProblem(N_('"%(value)s" is not a whole number.'), value=value)


def number(value: str) -> float | None:
    if not value:
        return None
    cleaned = value.replace(" ", "").replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        raise CellProblem(N_('"%(value)s" is not a number.'), value=value) from None


_YES = {"ja", "j", "yes", "y", "waar", "true", "1", "x"}
_NO = {"nee", "n", "no", "onwaar", "false", "0"}


def yes_no(value: str) -> bool | None:
    if not value:
        return None
    key = value.strip().casefold()
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellProblem(N_('Write "ja" or "nee", not "%(value)s".'), value=value)


_ITEM_SEPARATORS = re.compile(r"[;,|\n]")


def items(value: str) -> tuple[str, ...] | None:
    """A list in one cell: ``a, b`` or ``a; b`` (or one per line)."""
    if not value:
        return None
    return tuple(part.strip() for part in _ITEM_SEPARATORS.split(value) if part.strip())


def skill_levels(value: str) -> tuple[tuple[str, int], ...] | None:
    """``participatie:2, omgevingsrecht:1``: skill and level 1-3 (a skill without a level is level 1)."""
    parts = items(value)
    if parts is None:
        return None
    pairs = []
    for part in parts:
        skill, _, level = part.partition(":")
        if not skill.strip() or (level.strip() and not level.strip().isdigit()):
            raise CellProblem(
                N_(
                    'Write skills as skill:level, separated by commas (participatie:2, omgevingsrecht:1), not "%(value)s".'
                ),
                value=part,
            )
        pairs.append((skill.strip(), int(level) if level.strip() else 1))
    return tuple(pairs)


def needs(value: str) -> tuple[tuple[str, int, int], ...] | None:
    """``participatie:2:1``: skill, how many at the table, minimum level (count and level may be left out: 1)."""
    parts = items(value)
    if parts is None:
        return None
    result = []
    for part in parts:
        pieces = [piece.strip() for piece in part.split(":")]
        if not pieces[0] or len(pieces) > 3 or not all(piece.isdigit() for piece in pieces[1:]):
            raise CellProblem(
                N_(
                    'Write needs as skill:count:level, separated by commas (participatie:2:1), not "%(value)s".'
                ),
                value=part,
            )
        numbers = [int(piece) for piece in pieces[1:]] + [1, 1]
        result.append((pieces[0], numbers[0], numbers[1]))
    return tuple(result)


# -- columns and headers --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A field of an import: its key, the headers it is known by, how a cell becomes a value."""

    key: str
    nl: str  # the header exports write
    en: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    convert: Callable[[str], Any] = text

    def header_keys(self) -> set[str]:
        return {header_key(name) for name in (self.key, self.nl, self.en, *self.aliases)}


@dataclass(frozen=True)
class Columns:
    kind: str
    columns: tuple[Column, ...]

    def __iter__(self):
        return iter(self.columns)

    def by_key(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)

    @property
    def header(self) -> list[str]:
        """The header an export writes (Dutch), which the import reads back."""
        return [column.nl for column in self.columns]


@dataclass(frozen=True)
class HeaderMatch:
    """Which column of the file holds which field."""

    fields: Mapping[int, str]  # index in the row -> field key
    unknown: tuple[str, ...]  # headers naming no field and not mapped (ignored)
    missing: tuple[str, ...] = ()  # required field keys no column holds
    headers: Mapping[str, str] = field(default_factory=dict)  # field key -> header as written in the file


def match_headers(
    header: Sequence[str], columns: Columns, mapping: Mapping[str, str] | None = None
) -> HeaderMatch:
    """Match the file's header to the fields; ``mapping`` (header as written -> field key, "" to ignore) settles
    the headers that name no field. A field named by two columns is an error."""
    mapping = mapping or {}
    known = {key: column.key for column in columns for key in column.header_keys()}
    valid_keys = {column.key for column in columns}
    fields: dict[int, str] = {}
    headers: dict[str, str] = {}
    unknown = []
    for index, name in enumerate(header):
        if not name:
            continue
        key = known.get(header_key(name))
        if key is None and name in mapping:
            key = mapping[name] if mapping[name] in valid_keys else None
            if key is None:
                continue  # mapped to nothing: ignored on purpose
        if key is None:
            unknown.append(name)
            continue
        if key in headers:
            raise FileProblem(
                N_('The columns "%(first)s" and "%(second)s" both hold %(field)s.'),
                first=headers[key],
                second=name,
                field=columns.by_key(key).nl,
            )
        fields[index] = key
        headers[key] = name
    missing = tuple(column.key for column in columns if column.required and column.key not in headers)
    return HeaderMatch(fields=fields, unknown=tuple(unknown), missing=missing, headers=headers)


# -- the four imports ---------------------------------------------------------------------------------------------

MUNICIPALITY = Column("municipality", "Gemeente", "Municipality", ("cbs code", "gemeentecode"))

PROFESSIONALS = Columns(
    "professionals",
    (
        Column("name", "Naam", "Name", ("volledige naam", "full name", "naam professional"), required=True),
        Column(
            "email", "E-mail", "Email", ("e-mailadres", "email address", "mail", "mailadres"), required=True
        ),
        Column(
            "kvk_number",
            "KvK-nummer",
            "KvK number",
            ("kvk", "kvknr", "kvk nummer", "chamber of commerce number", "coc number"),
            required=True,
        ),
        Column(
            "place",
            "Woonplaats",
            "Home place",
            ("plaats", "place", "city", "town", "home town"),
            required=True,
        ),
        MUNICIPALITY,
        Column(
            "travel_radius_km",
            "Reisafstand (km)",
            "Travel distance (km)",
            ("reisafstand", "travel distance", "travel radius", "radius"),
            convert=whole_number,
        ),
        Column(
            "hourly_rate",
            "Uurtarief (€)",
            "Hourly rate (€)",
            ("uurtarief", "tarief", "rate"),
            convert=whole_number,
        ),
        Column("hours_per_week", "Uren per week", "Hours per week", ("uren", "hours"), convert=whole_number),
        Column(
            "max_sessions_per_round",
            "Max. sessies per ronde",
            "Max. sessions per round",
            ("sessies per ronde", "sessions per round"),
            convert=whole_number,
        ),
        Column("skills", "Competenties", "Skills", ("vaardigheden", "competences"), convert=skill_levels),
        Column("bio", "Toelichting", "About", ("bio", "omschrijving", "description", "over mij")),
    ),
)

ROLES = Columns(
    "roles",
    (
        MUNICIPALITY,
        Column("name", "Rol", "Role", ("naam", "name", "naam rol", "role name"), required=True),
        Column("purpose", "Doel", "Purpose"),
        Column("responsibilities", "Verantwoordelijkheden", "Responsibilities"),
        Column(
            "skills",
            "Competenties (minimumniveau)",
            "Skills (minimum level)",
            ("competenties", "skills", "vaardigheden"),
            convert=skill_levels,
        ),
    ),
)

VENUES = Columns(
    "venues",
    (
        Column("name", "Naam", "Name", ("locatie", "venue", "naam locatie"), required=True),
        Column("place", "Plaats", "Place", ("woonplaats", "city", "town", "vestigingsplaats")),
        MUNICIPALITY,
        Column("address", "Adres", "Address", ("straat", "street")),
        Column(
            "capacity",
            "Capaciteit",
            "Capacity",
            ("personen", "people", "max personen"),
            required=True,
            convert=whole_number,
        ),
        Column(
            "tables",
            "Tafels",
            "Tables",
            ("aantal tafels", "number of tables"),
            required=True,
            convert=whole_number,
        ),
        Column("online", "Online", "Online", (), convert=yes_no),
        Column("online_url", "Link", "Link", ("url", "online link", "weblink", "web link")),
    ),
)

REQUESTS = Columns(
    "requests",
    (
        MUNICIPALITY,
        Column("title", "Titel", "Title", ("naam", "name", "vraagstuk"), required=True),
        Column("question", "Vraag", "Question", ("omschrijving", "description", "toelichting")),
        Column("needs", "Behoeften", "Needs", ("competenties", "skills"), convert=needs),
        Column("slots", "Tijdvakken", "Time slots", ("tijdvak", "slots", "tijdslots"), convert=items),
        Column("venues", "Locaties", "Venues", ("locatie", "venue"), convert=items),
        Column("table_size_min", "Kleinste tafel", "Smallest table", ("min tafel",), convert=whole_number),
        Column("table_size_max", "Grootste tafel", "Largest table", ("max tafel",), convert=whole_number),
        Column("priority", "Prioriteit", "Priority", (), convert=whole_number),
        Column(
            "max_travel_km",
            "Max. reisafstand (km)",
            "Max. travel distance (km)",
            ("reisafstand", "travel distance"),
            convert=number,
        ),
    ),
)

KINDS: dict[str, Columns] = {spec.kind: spec for spec in (PROFESSIONALS, ROLES, VENUES, REQUESTS)}
