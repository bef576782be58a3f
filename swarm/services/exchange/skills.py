"""Skills named in a file by code or by their Dutch or English name (``participatie``, ``Participatie``,
``Participation``), turned into catalogue codes."""

from __future__ import annotations

import difflib

from sqlmodel import Session, select

from swarm.domain.errors import N_
from swarm.persistence.models import Skill
from swarm.seed.places import name_key
from swarm.services.exchange.columns import CellProblem


class SkillIndex:
    def __init__(self, session: Session):
        self.by_code = {skill.code: skill for skill in session.exec(select(Skill))}
        self._keys: dict[str, str] = {}
        for skill in self.by_code.values():
            for name in (skill.name_en, skill.name_nl, skill.code):
                self._keys[name_key(name)] = skill.code

    def code(self, text: str) -> str:
        code = self._keys.get(name_key(text))
        if code is None:
            close = difflib.get_close_matches(text, sorted(self.by_code), n=3, cutoff=0.6)
            if close:
                raise CellProblem(
                    N_('Unknown skill "%(value)s". Did you mean: %(choices)s?'),
                    value=text,
                    choices=", ".join(close),
                )
            raise CellProblem(N_('Unknown skill "%(value)s"; use a code of the skill catalogue.'), value=text)
        return code

    def levels(self, pairs) -> dict[str, int]:
        """``(("Participatie", 2), ...)`` as ``{"participatie": 2}``; a skill named twice is a problem."""
        levels: dict[str, int] = {}
        for text, level in pairs or ():
            code = self.code(text)
            if code in levels:
                raise CellProblem(N_('The skill "%(value)s" is named twice.'), value=text)
            levels[code] = level
        return levels
