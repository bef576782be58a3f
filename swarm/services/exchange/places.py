"""Places and municipalities named in a file, matched to the place list: by name (any case, accents or
punctuation), with the municipality where a name is ambiguous. An unknown name is a problem that names the
closest places of the list."""

from __future__ import annotations

import difflib
import re
from functools import cached_property

from sqlmodel import Session, select

from swarm.domain.errors import N_
from swarm.persistence.models import Municipality, Place
from swarm.seed.places import name_key
from swarm.services.exchange.columns import CellProblem

_TRAILING_PARENTHESES = re.compile(r"^(.*?)\s*\(([^()]+)\)\s*$")


class PlaceIndex:
    """Every place and municipality of the database, read once, for matching thousands of rows."""

    def __init__(self, session: Session, region_id: int):
        self.region_id = region_id
        self.municipalities = {m.id: m for m in session.exec(select(Municipality))}
        self.places = list(session.exec(select(Place)))
        self.by_id = {place.id: place for place in self.places}
        self._by_key: dict[str, list[Place]] = {}
        for place in self.places:
            self._by_key.setdefault(name_key(place.name), []).append(place)
        self._municipality_keys: dict[str, Municipality] = {}
        for municipality in self.municipalities.values():
            self._municipality_keys[name_key(municipality.name)] = municipality
            self._municipality_keys[name_key(municipality.cbs_code)] = municipality

    def municipality(self, text: str) -> Municipality:
        """A municipality by name or CBS code (``Oude IJsselstreek``, ``GM1509``)."""
        found = self._municipality_keys.get(name_key(text))
        if found is None:
            close = difflib.get_close_matches(text, sorted(self._municipality_names), n=3, cutoff=0.6)
            if close:
                raise CellProblem(
                    N_('Unknown municipality "%(value)s". Did you mean: %(choices)s?'),
                    value=text,
                    choices=", ".join(close),
                )
            raise CellProblem(N_('Unknown municipality "%(value)s".'), value=text)
        return found

    def label(self, place: Place) -> str:
        """``Beek (Montferland)``: the place with its municipality, as the problems name it."""
        municipality = self.municipalities.get(place.municipality_id)
        return f"{place.name} ({municipality.name})" if municipality else place.name

    def place(self, text: str, municipality_text: str | None = None) -> Place:
        """The place called ``text`` (``Beek`` or ``Beek (Montferland)``), in ``municipality_text`` if given."""
        name, municipality_text = self._split(text, municipality_text)
        candidates = self._by_key.get(name_key(name), [])
        if not candidates:
            raise self._unknown(text)
        if municipality_text:
            municipality = self.municipality(municipality_text)
            inside = [place for place in candidates if place.municipality_id == municipality.id]
            if not inside:
                raise CellProblem(
                    N_(
                        '"%(value)s" is not a place of the municipality %(municipality)s; the list has: %(choices)s.'
                    ),
                    value=name,
                    municipality=municipality.name,
                    choices=", ".join(sorted(self.label(place) for place in candidates)),
                )
            candidates = inside
        if len(candidates) > 1:
            # a place of the region's own municipalities first, else one around it (of no municipality)
            for region_id in (self.region_id, None):
                nearby = [place for place in candidates if self._region_of(place) == region_id]
                if len(nearby) == 1:
                    return nearby[0]
            raise CellProblem(
                N_('There are several places called "%(value)s" (%(choices)s): add the municipality.'),
                value=name,
                choices=", ".join(sorted(self.label(place) for place in candidates)),
            )
        return candidates[0]

    def _split(self, text: str, municipality_text: str | None) -> tuple[str, str | None]:
        """``Beek (Montferland)`` names the municipality in parentheses, unless a place is called that whole."""
        match = _TRAILING_PARENTHESES.match(text)
        if match and name_key(text) not in self._by_key:
            return match.group(1), municipality_text or match.group(2)
        return text, municipality_text

    def _region_of(self, place: Place) -> int | None:
        municipality = self.municipalities.get(place.municipality_id)
        return municipality.region_id if municipality else None

    @cached_property
    def _place_names(self) -> list[str]:
        return sorted({place.name for place in self.places})

    @cached_property
    def _municipality_names(self) -> list[str]:
        return [municipality.name for municipality in self.municipalities.values()]

    def _unknown(self, text: str) -> CellProblem:
        close = difflib.get_close_matches(text, self._place_names, n=3, cutoff=0.6)
        if close:
            return CellProblem(
                N_('Unknown place "%(value)s". Did you mean: %(choices)s?'),
                value=text,
                choices=", ".join(close),
            )
        return CellProblem(N_('Unknown place "%(value)s"; use a place of the place list.'), value=text)


def row_municipality(context, row, places: PlaceIndex) -> int | None:
    """The municipality a role-book or request row is for: the importer's own (a coordinator's; a different one in
    the file is an error), else the one the row names, which must be of the region."""
    named = row.get("municipality")
    fixed = context.scope.municipality_id
    try:
        municipality = places.municipality(named) if named else None
    except CellProblem as problem:
        context.error(row, "municipality", problem.message, **problem.params)
        return None
    if fixed is not None:
        if municipality is not None and municipality.id != fixed:
            context.error(
                row,
                "municipality",
                N_("You import for %(municipality)s only."),
                municipality=places.municipalities[fixed].name,
            )
            return None
        return fixed
    if municipality is None:
        context.error(row, "municipality", N_("Name the municipality (column Gemeente)."))
        return None
    if municipality.region_id != context.scope.region_id:
        context.error(
            row, "municipality", N_("%(municipality)s is not of this region."), municipality=municipality.name
        )
        return None
    return municipality.id
