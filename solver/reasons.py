"""A reason as a code plus the facts it rests on, with its English sentence built from both.

The explainers of both engines return ``Reason`` values. A result document keeps the English
sentence where the spec asks for one (``reason``, ``reasons``) and adds ``code`` and ``facts``, so
a reader in another language can build its own sentence from the same numbers and ids. Each
engine registers one English sentence function per code; there is no other place that words them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Sentence = Callable[[Mapping[str, Any]], str]


@dataclass(frozen=True)
class Reason:
    code: str
    facts: dict[str, Any] = field(default_factory=dict)
    sentences: Mapping[str, Sentence] = field(default_factory=dict, repr=False, compare=False)

    @property
    def text(self) -> str:
        return self.sentences[self.code](self.facts)

    def __str__(self) -> str:
        return self.text

    def as_fields(self) -> dict[str, Any]:
        """``{"code": ..., "facts": {...}}``: the optional fields beside the English sentence."""
        return {"code": self.code, "facts": dict(self.facts)}


class Sentences(dict[str, Sentence]):
    """The English sentence of each code of one engine; ``reason(code, **facts)`` checks the code."""

    def register(self, code: str) -> Callable[[Sentence], Sentence]:
        def add(function: Sentence) -> Sentence:
            if code in self:
                raise ValueError(f"reason code {code!r} registered twice")
            self[code] = function
            return function

        return add

    def reason(self, code: str, **facts: Any) -> Reason:
        if code not in self:
            raise KeyError(f"unknown reason code {code!r}")
        return Reason(code, facts, self)


def km(value: float) -> str:
    """A distance limit as the instance gave it (30, 7.5)."""
    return f"{value:g}"
