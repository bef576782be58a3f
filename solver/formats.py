"""Reading, validating and writing the JSON formats of docs/formats.md.

Shared by the swarm-round and the flexible-shell models: every check names the JSON path of the
problem (``requests[3].slots[1]: unknown slot "x"``) so that a caller can show it as one line.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Container, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SWARM_INSTANCE = "swarm-instance/1"
SWARM_SCHEDULE = "swarm-schedule/1"
SHELL_INSTANCE = "shell-instance/1"
SHELL_PLAN = "shell-plan/1"

# The score weights an instance may leave out take these values (docs/formats.md). The one place they are
# written: the engines read them here, and the app's regions start from them (swarm/domain/weights.py).
SWARM_WEIGHTS: Mapping[str, int] = MappingProxyType(
    {
        "scheduled": 1000,
        "skill": 10,
        "maybe": 15,
        "travel_km": 1,
        "fairness": 5,
        "repeat_table": 20,
        "change": 100,  # our extension: keeping the published schedule
    }
)
SHELL_WEIGHTS: Mapping[str, int] = MappingProxyType(
    {
        "filled_hour": 1000,
        "euro": 1,
        "level": 300,
        "preferred": 2000,
        "travel_km": 5,
        "fairness": 50,
        "change": 20000,  # our extension: keeping the previous plan
    }
)

EARTH_RADIUS_KM = 6371.0
LIMIT_EPSILON = 1e-9


class InvalidInstance(ValueError):
    """Input that breaks the spec; ``str()`` is the one-line message ``path: problem``."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


_MISSING: Any = object()


@dataclass(frozen=True)
class At:
    """A position in a JSON document, used to name the place of a problem."""

    path: str = ""

    def key(self, name: str) -> At:
        return At(f"{self.path}.{name}" if self.path else name)

    def index(self, i: int) -> At:
        return At(f"{self.path}[{i}]")

    def fail(self, message: str) -> NoReturn:
        raise InvalidInstance(self.path or "(document)", message)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def as_object(value: Any, at: At) -> dict[str, Any]:
    if not isinstance(value, dict):
        at.fail(f"expected an object, got {_type_name(value)}")
    return value


def as_list(value: Any, at: At) -> list[Any]:
    if not isinstance(value, list):
        at.fail(f"expected a list, got {_type_name(value)}")
    return value


def as_string(value: Any, at: At, *, nonempty: bool = True) -> str:
    if not isinstance(value, str):
        at.fail(f"expected a string, got {_type_name(value)}")
    if nonempty and not value.strip():
        at.fail("must not be empty")
    return value


def as_int(value: Any, at: At, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer in the JSON sense: ``3`` but not ``3.0``, ``true`` or ``"3"``."""
    if isinstance(value, bool) or not isinstance(value, int):
        at.fail(f"expected an integer, got {_type_name(value)}")
    if minimum is not None and value < minimum:
        at.fail(f"must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        at.fail(f"must be at most {maximum}, got {value}")
    return value


def as_number(value: Any, at: At, *, minimum: float | None = None, maximum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        at.fail(f"expected a number, got {_type_name(value)}")
    if minimum is not None and value < minimum:
        at.fail(f"must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        at.fail(f"must be at most {maximum}, got {value}")
    return float(value)


def as_bool(value: Any, at: At) -> bool:
    if not isinstance(value, bool):
        at.fail(f"expected true or false, got {_type_name(value)}")
    return value


def field(obj: dict[str, Any], name: str, at: At, default: Any = _MISSING) -> tuple[Any, At]:
    """The value of ``obj[name]`` with its position; a missing required field fails.

    An explicit ``null`` counts as absent, so optional fields may be written either way.
    """
    where = at.key(name)
    value = obj.get(name)
    if value is None:
        if default is _MISSING:
            where.fail("is required")
        return default, where
    return value, where


def unique_ids(
    items: list[dict[str, Any]], at: At, key: str = "id", seen: set[str] | None = None
) -> list[str]:
    """The ids of a list of objects, each a non-empty string, none twice (also not in ``seen``)."""
    seen = set() if seen is None else seen
    ids = []
    for i, item in enumerate(items):
        value, where = field(item, key, at.index(i))
        ident = as_string(value, where)
        if ident in seen:
            where.fail(f'duplicate id "{ident}"')
        seen.add(ident)
        ids.append(ident)
    return ids


def reference(value: Any, at: At, known: Container[str], kind: str) -> str:
    """A string that must name one of ``known``: ``requests[0].slots[1]: unknown slot "x"``."""
    ident = as_string(value, at)
    if ident not in known:
        at.fail(f'unknown {kind} "{ident}"')
    return ident


def as_timezone(value: Any, at: At) -> ZoneInfo:
    name = as_string(value, at)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        at.fail(f'unknown time zone "{name}"')


def as_local_datetime(value: Any, at: At) -> datetime:
    """An ISO 8601 local date-time without offset, e.g. ``2027-01-12T09:00``."""
    text = as_string(value, at)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        at.fail(f'"{text}" is not a date-time like 2027-01-12T09:00')
    if moment.tzinfo is not None:
        at.fail(f'"{text}" must be a local time without offset')
    return moment


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance exactly as the spec computes it."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def within_limit(km: float, limit: float | None) -> bool:
    """An absent limit means no limit; limits compare ``km <= limit + 1e-9``."""
    return limit is None or km <= limit + LIMIT_EPSILON


def km_int(km: float) -> int:
    """The whole kilometres the score uses: ``floor(km + 0.5)``."""
    return math.floor(km + 0.5)


def load_json(path: str | os.PathLike[str]) -> Any:
    """Parse a JSON file; any failure is an :class:`InvalidInstance` with a readable reason."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInstance("", f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInstance("", f"{path}: cannot read: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInstance(
            "", f"{path}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None


def instance_format(document: Any) -> str:
    obj = as_object(document, At())
    value, where = field(obj, "format", At())
    fmt = as_string(value, where)
    if fmt not in (SWARM_INSTANCE, SHELL_INSTANCE):
        where.fail(f'unknown format "{fmt}" (expected "{SWARM_INSTANCE}" or "{SHELL_INSTANCE}")')
    return fmt


def read_header(document: Any, expected_format: str) -> tuple[dict[str, Any], str]:
    """An instance document as an object and its ``id``, once its ``format`` is the one expected."""
    root = At()
    doc = as_object(document, root)
    fmt, at = field(doc, "format", root)
    if as_string(fmt, at) != expected_format:
        at.fail(f'expected "{expected_format}", got "{fmt}"')
    ident, at = field(doc, "id", root)
    return doc, as_string(ident, at)


def write_json_atomic(path: str | os.PathLike[str], document: Any) -> None:
    """Write JSON so that readers see the old file or the whole new one, never half of it."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(document, out, ensure_ascii=False, indent=2)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
