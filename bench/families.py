"""A second family of instances, unlike the ones the engine was tuned on, and the split of its seeds.

`bench/swarm_instances.py` and `bench/shell_instances.py` draw one region (an Achterhoek box, or all of the
Netherlands by population) with mild skill levels, generous budgets and people who mostly work full time.
The engine was tuned on those. The *regional* family here draws from the fixtures instead
(`fixtures/regions.json` with GeoNames coordinates, `fixtures/catalogue.json` skills) and differs on
purpose where real regions differ:

- places: the region's own places (town halls as venues, homes by population), people spread over the
  municipalities of one or more regions; shell projects in the town halls of every fixture region and in
  the largest Dutch places;
- skewed skills: most people are level 1 in most of their skills, level 3 is rare, and requests and roles
  ask level 2-3 more often;
- a share of requests and roles that no one can serve (a need at level 3 in a skill almost nobody has, a
  tiny travel limit, a role whose hours nobody has free);
- tight budgets (most projects, 40-95 % of the work at an average rate) and many part-timers (16-24 hours
  a week, rarely available for sessions);
- few or many venues (2-12), one online venue or none, 2-4 table rounds.

Seeds are split: ``TUNING_SEEDS`` may be looked at while changing the engine; ``HELD_OUT_SEEDS`` only
when the benchmark is run for the record. The fairness grid's region shapes are split the same way
(``FAIRNESS_SHAPES``, each marked ``held_out``).

    python -m bench.families swarm medium --seed 101 -o x.json
    python -m bench.families shell large --seed 301 -o y.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from pathlib import Path

from swarm.seed.places import dutch_places
from swarm.seed.regions import region, region_places, regions

# Seeds: the tuning seeds may be looked at while the engine changes; the held-out ones only for the record.
TUNING_SEEDS = (101, 102)
HELD_OUT_SEEDS = (301, 302)

FAMILY = "regional"
SWARM_WEIGHTS = {
    "scheduled": 1000,
    "skill": 10,
    "maybe": 15,
    "travel_km": 1,
    "fairness": 5,
    "repeat_table": 20,
    "change": 100,
}
SHELL_WEIGHTS = {
    "filled_hour": 1000,
    "euro": 1,
    "level": 300,
    "preferred": 2000,
    "travel_km": 5,
    "fairness": 50,
}
# Most people are level 1 in a skill, few level 3 (the first family: 0.55 / 0.30 / 0.15).
SKEWED_LEVELS = (0.66, 0.26, 0.08)
# A skill almost nobody has; requests and roles that ask for it at level 3 cannot be served.
RARE_SKILL = "stikstofrecht"
HALF_DAYS = {"am": ("09:00", "12:30"), "pm": ("13:30", "17:00"), "ev": ("19:00", "21:30")}


@dataclass(frozen=True)
class SwarmShape:
    professionals: int
    requests: int
    slots: int
    venues: int  # counting the online venue when there is one
    rounds: int
    regions: tuple[str, ...] = ("achterhoek",)
    online: bool = True


@dataclass(frozen=True)
class ShellShape:
    professionals: int
    projects: int
    weeks: int


SWARM_SIZES = {
    "small": SwarmShape(300, 8, 6, 3, 3, ("flevoland",)),
    "medium": SwarmShape(3_000, 30, 12, 8, 3, ("zuid-limburg",)),
    "large": SwarmShape(20_000, 150, 20, 12, 3, ("zuid-limburg", "achterhoek")),
}
SHELL_SIZES = {
    "small": ShellShape(500, 20, 13),
    "medium": ShellShape(5_000, 200, 26),
    "large": ShellShape(20_000, 1_000, 52),
}


@dataclass(frozen=True)
class FairnessShape:
    """One region of the equal-treatment grid; ``held_out`` shapes are not looked at while tuning."""

    name: str
    shape: SwarmShape
    held_out: bool


# 14 region shapes, 150-1,000 professionals, 2-6 venues, 2-4 rounds, 5-20 requests, 4-10 slots; 7 held out.
FAIRNESS_SHAPES = (
    FairnessShape("t1", SwarmShape(150, 8, 8, 2, 3, ("achterhoek",)), False),
    FairnessShape("t2", SwarmShape(300, 8, 6, 3, 3, ("achterhoek",)), False),
    FairnessShape("t3", SwarmShape(400, 10, 6, 3, 2, ("zuid-limburg",)), False),
    FairnessShape("t4", SwarmShape(600, 12, 8, 4, 3, ("achterhoek",), online=False), False),
    FairnessShape("t5", SwarmShape(800, 15, 8, 5, 3, ("zuid-limburg",)), False),
    FairnessShape("t6", SwarmShape(1000, 20, 10, 6, 4, ("zuid-limburg", "achterhoek")), False),
    FairnessShape("t7", SwarmShape(250, 6, 5, 2, 4, ("achterhoek",)), False),
    FairnessShape("h1", SwarmShape(200, 6, 4, 2, 3, ("achterhoek",), online=False), True),
    FairnessShape("h2", SwarmShape(350, 9, 6, 3, 2, ("flevoland",)), True),
    FairnessShape("h3", SwarmShape(400, 10, 6, 3, 2, ("achterhoek",)), True),
    FairnessShape("h4", SwarmShape(500, 12, 7, 4, 4, ("zuid-limburg",), online=False), True),
    FairnessShape("h5", SwarmShape(800, 15, 8, 5, 3, ("achterhoek", "flevoland")), True),
    FairnessShape("h6", SwarmShape(1000, 18, 10, 6, 3, ("zuid-limburg",)), True),
    FairnessShape("h7", SwarmShape(700, 20, 9, 6, 2, ("flevoland", "achterhoek")), True),
)


@cache
def catalogue_skills() -> tuple[tuple[str, int], ...]:
    text = resources.files("fixtures").joinpath("catalogue.json").read_text(encoding="utf-8")
    return tuple((s["code"], int(s["weight"])) for s in json.loads(text)["skills"])


def _skills(rng: random.Random, count_weights: tuple[float, ...]) -> dict[str, int]:
    names = [name for name, _ in catalogue_skills()]
    # Popularity skewed further than the catalogue's weights (squared): a few skills are common.
    weights = [weight**2 for _, weight in catalogue_skills()]
    skills: dict[str, int] = {}
    for _ in range(rng.choices(range(1, len(count_weights) + 1), count_weights)[0]):
        skills[rng.choices(names, weights)[0]] = rng.choices((1, 2, 3), SKEWED_LEVELS)[0]
    if rng.random() < 0.002:
        skills[RARE_SKILL] = rng.choice((1, 2))
    return skills


def _home(rng: random.Random, places, weights) -> tuple[float, float, str]:
    place = rng.choices(places, weights)[0]
    return (
        round(place.lat + rng.uniform(-0.02, 0.02), 5),
        round(place.lon + rng.uniform(-0.03, 0.03), 5),
        place.name,
    )


# --- swarm ------------------------------------------------------------------------------------------------


def swarm_instance(size: str, seed: int) -> dict:
    if size not in SWARM_SIZES:
        raise ValueError(f"unknown size {size!r}; choose one of {', '.join(SWARM_SIZES)}")
    return swarm_regional(SWARM_SIZES[size], seed, name=size)


def swarm_regional(shape: SwarmShape, seed: int, *, name: str = "custom") -> dict:
    """A ``swarm-instance/1`` of the regional family."""
    rng = random.Random(f"regional-swarm-{name}-{seed}")
    slots = _swarm_slots(rng, shape.slots)
    venues = _swarm_venues(rng, shape, slots)
    people, _ = swarm_people(rng, shape, slots)
    return {
        "format": "swarm-instance/1",
        "id": f"{FAMILY}-{'-'.join(shape.regions)}-{name}-s{seed}",
        "timezone": "Europe/Amsterdam",
        "rounds": shape.rounds,
        "max_parallel_sessions": rng.randint(2, 5),
        "weights": dict(SWARM_WEIGHTS),
        "slots": slots,
        "venues": venues,
        "requests": swarm_requests(rng, shape, slots, venues, people),
        "professionals": people,
        "previous": None,
    }


def _swarm_slots(rng: random.Random, count: int) -> list[dict]:
    found: list[dict] = []
    day = date(2027, 2, 1) + timedelta(days=rng.randrange(7))
    while len(found) < count:
        if day.weekday() < 5 and rng.random() < 0.6:
            parts = rng.choice([["am"], ["pm"], ["am", "pm"], ["ev"], ["pm", "ev"]])
            for part in parts[: count - len(found)]:
                start, end = HALF_DAYS[part]
                iso = day.isoformat()
                found.append({"id": f"{iso}-{part}", "start": f"{iso}T{start}", "end": f"{iso}T{end}"})
        day += timedelta(days=1)
    return found


def _swarm_venues(rng: random.Random, shape: SwarmShape, slots: list[dict]) -> list[dict]:
    """Town halls of the regions' municipalities first, then community centres in their largest places."""
    halls = [m.town_hall for slug in shape.regions for m in region(slug).municipalities]
    rng.shuffle(halls)
    others = [p for slug in shape.regions for p in region_places(slug) if p not in halls]
    physical = shape.venues - (1 if shape.online else 0)
    chosen = (halls + others)[: max(physical, 0)]
    venues: list[dict] = []
    for number, place in enumerate(chosen):
        kind = "Gemeentehuis" if place in halls else rng.choice(["Bibliotheek", "Dorpshuis", "Kulturhus"])
        venues.append(
            {
                "id": f"v{number + 1}-{_slug(place.name)}",
                "name": f"{kind} {place.name}",
                "lat": place.lat,
                "lon": place.lon,
                "capacity": rng.choice((16, 20, 24, 30, 40, 60)),
                "tables": rng.randint(2, 6),
                "online": False,
                "unavailable_slots": [s["id"] for s in slots if rng.random() < 0.2],
            }
        )
    if shape.online:
        venues.append(
            {"id": "online", "name": "Online", "capacity": rng.choice((12, 20, 30)), "tables": rng.randint(2, 4),
             "online": True, "unavailable_slots": []}
        )  # fmt: skip
    return venues


def swarm_people(rng: random.Random, shape: SwarmShape, slots: list[dict]) -> tuple[list[dict], list[float]]:
    """The professionals and each one's own propensity to be free for a slot (part-timers rarely are)."""
    places = [p for slug in shape.regions for p in region_places(slug)]
    weights = [p.population**0.7 for p in places]
    width = max(4, len(str(shape.professionals)))
    people, propensity = [], []
    for number in range(1, shape.professionals + 1):
        lat, lon, _ = _home(rng, places, weights)
        part_timer = rng.random() < 0.55
        free = rng.betavariate(0.7, 6.0) if part_timer else rng.betavariate(1.5, 3.0)
        person = {
            "id": f"p-{number:0{width}d}",
            "lat": lat,
            "lon": lon,
            "max_travel_km": rng.choice((10, 15, 20, 25, 30, 40, 50)),
            "skills": _skills(rng, (0.35, 0.35, 0.2, 0.1)),
            "availability": swarm_availability(rng, free, slots),
            "max_sessions": rng.choices((1, 2), (0.9, 0.1))[0],
        }
        if rng.random() < 0.07:
            person["qualified"] = False
        recent = rng.choices(range(6), (0.5, 0.2, 0.12, 0.08, 0.06, 0.04))[0]
        if recent:
            person["recent_invitations"] = recent
        people.append(person)
        propensity.append(free)
    return people, propensity


def swarm_availability(rng: random.Random, free: float, slots: list[dict]) -> dict[str, str]:
    found = {}
    for slot in slots:
        draw = rng.random()
        if draw < free * 0.7:
            found[slot["id"]] = "yes"
        elif draw < free:
            found[slot["id"]] = "maybe"
    return found


def swarm_requests(
    rng: random.Random, shape: SwarmShape, slots: list[dict], venues: list[dict], people: list[dict]
) -> list[dict]:
    municipalities = [m.name for slug in shape.regions for m in region(slug).municipalities]
    names = [name for name, _ in catalogue_skills()]
    weights = [weight for _, weight in catalogue_skills()]
    slot_ids, venue_ids = [s["id"] for s in slots], [v["id"] for v in venues]
    found = []
    for number in range(1, shape.requests + 1):
        municipality = rng.choice(municipalities)
        chosen: list[str] = []
        for _ in range(rng.choices((1, 2, 3), (0.3, 0.45, 0.25))[0]):
            skill = rng.choices(names, weights)[0]
            if skill not in chosen:
                chosen.append(skill)
        needs = []
        for skill in chosen:
            need = {"skill": skill, "min": rng.choices((1, 2), (0.65, 0.35))[0]}
            level = rng.choices((1, 2, 3), (0.35, 0.45, 0.2))[0]
            if level > 1:
                need["min_level"] = level
            needs.append(need)
        low = rng.randint(3, 5)
        request = {
            "id": f"{_slug(municipality)}-{chosen[0]}-{number}",
            "municipality": municipality,
            "title": f"Vraagstuk {chosen[0]} {municipality}",
            "slots": sorted(
                rng.sample(slot_ids, max(1, round(len(slot_ids) * rng.uniform(0.2, 0.6)))), key=slot_ids.index
            ),
            "table_size": [low, low + rng.randint(1, 4)],
            "needs": needs,
            "priority": rng.choices((1, 2, 3, 4, 5), (0.3, 0.25, 0.2, 0.15, 0.1))[0],
        }
        if rng.random() < 0.5:
            request["venues"] = sorted(
                rng.sample(venue_ids, rng.randint(1, len(venue_ids))), key=venue_ids.index
            )
        if rng.random() < 0.5:
            request["max_travel_km"] = rng.choice((15, 20, 25, 30, 40))
        if rng.random() < 0.2:
            request["excluded"] = sorted(
                p["id"] for p in rng.sample(people, min(len(people), rng.randint(1, 4)))
            )
        impossible = rng.random()
        if impossible < 0.06:  # a need nobody meets
            request["needs"] = [*needs[:1], {"skill": RARE_SKILL, "min": 2, "min_level": 3}]
        elif impossible < 0.10:  # a travel limit almost nobody lives within
            request["max_travel_km"] = 2
            request["venues"] = [v["id"] for v in venues if not v["online"]][:1] or venue_ids[:1]
        found.append(request)
    return found


# --- shell ------------------------------------------------------------------------------------------------


def shell_instance(size: str, seed: int) -> dict:
    if size not in SHELL_SIZES:
        raise ValueError(f"unknown size {size!r}; choose one of {', '.join(SHELL_SIZES)}")
    return shell_regional(SHELL_SIZES[size], seed, name=size)


def _week_names(count: int) -> list[str]:
    first = date.fromisocalendar(2027, 6, 1)
    names = []
    for i in range(count):
        year, week, _ = (first + timedelta(weeks=i)).isocalendar()
        names.append(f"{year}-W{week:02d}")
    return names


def shell_regional(shape: ShellShape, seed: int, *, name: str = "custom") -> dict:
    """A ``shell-instance/1`` of the regional family."""
    rng = random.Random(f"regional-shell-{name}-{seed}")
    weeks = _week_names(shape.weeks)
    # Homes: the fixture regions' places weigh heavily, the rest of the country by population.
    regional = [p for r in regions() for p in region_places(r.slug)]
    country = list(dutch_places())
    places = regional + country
    weights = [p.population**0.6 * 4 for p in regional] + [p.population**0.6 for p in country]
    people = [_shell_person(rng, i, weeks, places, weights) for i in range(shape.professionals)]
    sites = [m.town_hall for r in regions() for m in r.municipalities]
    sites += sorted(country, key=lambda p: -p.population)[:60]
    projects = [_shell_project(rng, i, weeks, sites, people) for i in range(shape.projects)]
    return {
        "format": "shell-instance/1",
        "id": f"{FAMILY}-shell-{name}-s{seed}",
        "weeks": weeks,
        "weights": dict(SHELL_WEIGHTS),
        "projects": projects,
        "professionals": people,
    }


def _shell_person(rng: random.Random, index: int, weeks: list[str], places, weights) -> dict:
    lat, lon, _ = _home(rng, places, weights)
    part_timer = rng.random() < 0.6
    hours = rng.choice((8, 12, 16, 16, 20, 24, 24)) if part_timer else rng.choice((28, 32, 32, 36, 40))
    person: dict = {
        "id": f"z-{index + 1:05d}",
        "lat": lat,
        "lon": lon,
        "max_travel_km": rng.choice((40, 50, 60, 80, 100, 120, 150)),
        "skills": _skills(rng, (0.1, 0.2, 0.3, 0.2, 0.1, 0.1)),
        "hourly_rate": int(rng.triangular(55, 150, 85)),
        "hours_per_week": hours,
    }
    capacity = {}
    if rng.random() < 0.4:  # a holiday of 1-3 weeks
        start = rng.randrange(len(weeks))
        for week in weeks[start : start + rng.randint(1, 3)]:
            capacity[week] = 0
    if rng.random() < 0.35:  # weeks with other work
        for week in rng.sample(weeks, min(len(weeks), rng.randint(2, 8))):
            capacity.setdefault(week, rng.randrange(0, hours + 1, 4))
    if capacity:
        person["capacity"] = capacity
    if rng.random() < 0.05:
        person["qualified"] = False
    recent = rng.choices(range(5), (0.5, 0.2, 0.15, 0.1, 0.05))[0]
    if recent:
        person["recent_assignments"] = recent
    return person


def _shell_project(rng: random.Random, index: int, weeks: list[str], sites, people: list[dict]) -> dict:
    site = rng.choice(sites)
    names = [name for name, _ in catalogue_skills()]
    weights = [weight for _, weight in catalogue_skills()]
    project_id = f"{_slug(site.name)}-{index + 1}"
    skills: list[str] = []
    for _ in range(rng.choices((1, 2, 3, 4, 5), (0.15, 0.3, 0.3, 0.15, 0.1))[0]):
        skill = rng.choices(names, weights)[0]
        if skill not in skills:
            skills.append(skill)
    roles = []
    for skill in skills:
        length = rng.randint(2, max(2, min(len(weeks), len(weeks) // 2 + 4)))
        first = rng.randrange(len(weeks) - min(length, len(weeks)) + 1)
        last = min(len(weeks) - 1, first + length - 1)
        role = {
            "id": f"{project_id}/{skill}",
            "skill": skill,
            "min_level": rng.choices((1, 2, 3), (0.35, 0.45, 0.2))[0],
            "hours_per_week": rng.choice((4, 8, 8, 12, 16, 16, 20, 24, 32)),
            "first_week": weeks[first],
            "last_week": weeks[last],
        }
        if rng.random() < 0.03:  # a role nobody can fill: a rare skill at expert level
            role.update({"id": f"{project_id}/{RARE_SKILL}", "skill": RARE_SKILL, "min_level": 3})
        roles.append(role)
    roles = list({role["id"]: role for role in roles}.values())
    project: dict = {
        "id": project_id,
        "municipality": site.name,
        "title": f"Project {index + 1} {site.name}",
        "lat": round(site.lat, 5),
        "lon": round(site.lon, 5),
        "roles": roles,
    }
    if rng.random() < 0.9:  # tight: 40-95 % of the work at an average rate
        work = sum(
            r["hours_per_week"] * (weeks.index(r["last_week"]) - weeks.index(r["first_week"]) + 1)
            for r in roles
        )
        project["budget"] = max(500, 500 * round(work * 95 * rng.uniform(0.4, 0.95) / 500))
    if rng.random() < 0.4:
        project["preferred"] = sorted(p["id"] for p in rng.sample(people, rng.randint(1, 3)))
    if rng.random() < 0.1:
        excluded = {p["id"] for p in rng.sample(people, rng.randint(1, 3))}
        project["excluded"] = sorted(excluded - set(project.get("preferred", ())))
    return project


def _slug(text: str) -> str:
    kept = "".join(ch if ch.isalnum() else "-" for ch in text.lower())
    return "-".join(part for part in kept.split("-") if part)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write an instance of the regional family.")
    parser.add_argument("kind", choices=["swarm", "shell"])
    parser.add_argument("size", choices=sorted(set(SWARM_SIZES) | set(SHELL_SIZES)))
    parser.add_argument("--seed", type=int, default=TUNING_SEEDS[0])
    parser.add_argument("-o", "--output", help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    make = swarm_instance if args.kind == "swarm" else shell_instance
    text = json.dumps(make(args.size, args.seed), ensure_ascii=False) + "\n"
    if args.output:
        target = Path(args.output)
        partial = target.with_name(f".{target.name}.partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, target)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
