"""Turn reasons into sentences in the page's language.

Every reason has one shape, a code and its facts (``swarm/domain/reasons.py``): the services' own reasons for an
invitation, and the engines' (see docs/solver-swarm.md and docs/solver-shell.md) for an unscheduled request, an
unfilled role or a proposed assignment. A reason whose code (or clause) this module does not know, e.g. from an
older stored result, is shown in the engine's own English words (its ``reason`` or ``text``).
"""

from __future__ import annotations

from datetime import datetime

from flask import g
from flask_babel import format_currency, format_date, format_decimal

from swarm.domain.refs import parse_ref
from swarm.services import lookup
from swarm.services.people.privacy import ERASED_PREFIX
from swarm.services.people.professionals import professional
from swarm.webapp.db import db
from swarm.webapp.i18n import gettext as _
from swarm.webapp.i18n import ngettext, skill_name


def _skill(code: str) -> str:
    if "skill_names" not in g:
        g.skill_names = {skill.code: skill_name(skill) for skill in lookup.list_skills(db())}
    return g.skill_names.get(code, code)


def reason_text(reason) -> str:
    """One stored reason (code and facts) in the page's language."""
    return engine_reason_text(reason)


def reasons_text(reasons) -> str:
    return "; ".join(reason_text(reason) for reason in reasons or [])


def unscheduled_text(item) -> str:
    """Why a request is unscheduled or a role unfilled: the result's item (or, from old callers, its sentence)."""
    if isinstance(item, dict):
        return engine_reason_text(item)
    return _(item) if item else ""


def engine_reason_text(item: dict) -> str:
    """A reason (``code`` + ``facts``) in the page's language; its English ``reason``/``text`` if unknown."""
    render = _RENDER.get(item.get("code")) or _APP_RENDER.get(item.get("code"))
    facts = item.get("facts")
    if render is not None and isinstance(facts, dict):
        try:
            return render(facts)
        except (KeyError, TypeError, ValueError):  # a clause or fact this version does not know
            pass
    return str(item.get("reason") or item.get("text") or "")


# --- Pieces -----------------------------------------------------------------------------------------


def _number(value) -> str:
    return format_decimal(value)


def _money(value) -> str:
    return format_currency(value, "EUR", format="¤ #,##0", currency_digits=False)


def _when(facts: dict) -> str:
    """``dinsdag 12 januari ochtend``: the slot's local start (as in the instance), day and part of the day."""
    start = datetime.fromisoformat(facts["slot_start"])
    day = format_date(start, "EEEE d MMMM", rebase=False)
    if start.hour < 12:
        return _("%(day)s morning", day=day)
    if start.hour < 18:
        return _("%(day)s afternoon", day=day)
    return _("%(day)s evening", day=day)


def _place(facts: dict) -> str:
    """The slot and venue of a session: ``dinsdag 12 januari ochtend in Ulft``."""
    if facts.get("online"):
        if facts["venue_name"].strip().lower() == "online":
            return _("%(when)s online", when=_when(facts))
        return _("%(when)s online (%(venue)s)", when=_when(facts), venue=facts["venue_name"])
    return _("%(when)s at %(venue)s", when=_when(facts), venue=facts["venue_name"])


def _within(text: str, facts: dict) -> str:
    if facts.get("max_km") is None:
        return text
    return _("%(who)s within %(km)s km", who=text, km=_number(facts["max_km"]))


def _limit(facts: dict) -> str:
    """The request's own limit that keeps people out, as a bracketed clause (or nothing)."""
    limit, count = facts["limit"], facts.get("limit_count", 0)
    if limit is None:
        return ""
    if limit == "excluded":
        clause = ngettext(
            "%(num)s more is excluded by the question", "%(num)s more are excluded by the question", count
        )
    elif limit == "travel":
        clause = ngettext(
            "%(num)s more lives farther away than %(km)s km",
            "%(num)s more live farther away than %(km)s km",
            count,
            km=_number(facts["max_km"]),
        )
    elif limit == "unavailable":
        clause = ngettext("%(num)s more is not available then", "%(num)s more are not available then", count)
    else:
        raise ValueError(limit)
    return f" ({clause})"


def _nearest(who: str, facts: dict) -> str:
    return (
        _(
            "No candidate time slot has %(who)s; the nearest fit is %(place)s with %(found)s",
            who=_within(who, facts),
            place=_place(facts),
            found=facts["found"],
        )
        + _limit(facts)
        + "."
    )


def _role_who(facts: dict) -> str:
    if facts["min_level"] <= 1:
        return _skill(facts["skill"])
    return _("%(skill)s at level %(level)s or higher", skill=_skill(facts["skill"]), level=facts["min_level"])


def _person(facts: dict) -> str:
    """The professional's current name (``p-<id>`` in the engine's facts; an erased person reads as erased)."""
    ref = str(facts["professional"])
    person_id = parse_ref(ref, "p")
    person = professional(db(), person_id) if person_id is not None else None
    if ref.startswith(ERASED_PREFIX) or (person is not None and person.anonymised_at is not None):
        return _("an erased professional")
    return person.name if person is not None else ref


def _weeks(facts: dict) -> str:
    if facts["first_week"] == facts["last_week"]:
        return _("in week %(week)s", week=facts["first_week"])
    return _("in each of the weeks %(first)s to %(last)s", first=facts["first_week"], last=facts["last_week"])


# --- Why a request is unscheduled (swarm) ----------------------------------------------------------


def _no_slot_with_need(f: dict) -> str:
    who = ngettext(
        "%(num)s person with %(skill)s", "%(num)s people with %(skill)s", f["count"], skill=_skill(f["skill"])
    )
    if f["min_level"] > 1:
        who = _("%(who)s at level %(level)s or higher", who=who, level=f["min_level"])
    return _nearest(who, f)


def _no_slot_with_people(f: dict) -> str:
    who = ngettext(
        "%(num)s available person who may come", "%(num)s available people who may come", f["count"]
    )
    return _nearest(who, f)


def _crowded_out(f: dict) -> str:
    blocked = f["blocked"]
    if blocked == "tables_taken":
        why = ngettext("its only table is taken", "all %(num)s tables there are taken", f["tables"])
    elif blocked == "seats_taken":
        why = ngettext("its only seat is taken", "all %(num)s seats there are taken", f["capacity"])
    elif blocked == "tables_unfit":
        why = _("too few of the people it needs fit around the tables there")
    elif blocked == "venue_busy":
        why = _("%(venue)s has another session then", venue=f["venue_name"])
    elif blocked == "parallel_limit":
        why = ngettext(
            "the limit of %(num)s session at a time is reached then",
            "the limit of %(num)s sessions at a time is reached then",
            f["max_parallel"],
        )
    elif blocked == "needed_elsewhere":
        why = _("the people it needs were worth more elsewhere")
    else:
        raise ValueError(blocked)
    return _(
        "On its own it could be held %(place)s (%(options)s), but %(why)s; questions of higher priority came first "
        "(its priority is %(priority)s). Add a time slot or venue, or raise its priority.",
        place=_place(f),
        options=ngettext("%(num)s possibility in all", "%(num)s possibilities in all", f["places"]),
        why=why,
        priority=f["priority"],
    )


# --- Why a role is unfilled (shell) ----------------------------------------------------------------


def _no_free_hours(f: dict) -> str:
    parts = [
        ngettext(
            "No qualified professional with %(who)s within travel distance has %(num)s free hour a week %(weeks)s",
            "No qualified professional with %(who)s within travel distance has %(num)s free hours a week %(weeks)s",
            f["hours_per_week"],
            who=_role_who(f),
            weeks=_weeks(f),
        ),
        ngettext(
            "the most free is %(name)s with %(num)s hour",
            "the most free is %(name)s with %(num)s hours",
            f["most_free"],
            name=_person(f),
        ),
    ]
    if f["without_others"]:
        parts.append(
            ngettext(
                "%(num)s would have them without their other assignments",
                "%(num)s would have them without their other assignments",
                f["without_others"],
            )
        )
    return "; ".join(parts) + "."


def _cost(f: dict) -> str:
    if f["rank"] == 1:
        rank = ngettext("the only eligible one", "the cheapest of %(num)s eligible", f["eligible"])
    else:
        rank = _("rate rank %(rank)s of %(num)s eligible", rank=f["rank"], num=f["eligible"])
    return _(
        "%(rate)s an hour × %(hours)s hours = %(cost)s; %(rank)s",
        rate=_money(f["rate"]),
        hours=f["hours"],
        cost=_money(f["cost"]),
        rank=rank,
    )


def _turns(f: dict) -> str:
    turns = ngettext(
        "%(num)s invitation in the last %(window)s rounds",
        "%(num)s invitations in the last %(window)s rounds",
        f.get("recent_invitations", 0),
        window=f.get("window_rounds"),
    )
    waited = f.get("rounds_waited", 0)
    if not waited:
        return turns
    since = ngettext(
        "available in %(num)s round since the last invitation",
        "available in %(num)s rounds since the last invitation",
        waited,
    )
    return f"{turns}; {since}"


# The app's own codes (swarm/domain/reasons.py): why someone was invited, or chosen.
_APP_RENDER = {
    "skill": lambda f: _(
        "has %(skill)s at level %(level)s (at least %(min_level)s asked)",
        skill=_skill(f.get("skill", "")),
        level=f.get("level"),
        min_level=f.get("min_level"),
    ),
    "availability": lambda f: (
        _("answered yes for this time")
        if f.get("answer") == "yes"
        else _("answered if need be for this time")
    ),
    "travel": lambda f: _("%(km)s km from the venue", km=f.get("km")),
    "turns": _turns,
    "chosen_by_coordinator": lambda f: _("chosen by the coordinator"),
}

# The engines' codes (docs/solver-swarm.md, docs/solver-shell.md).
_RENDER = {
    # swarm: unscheduled requests
    "no_slots": lambda f: _("It has no candidate time slots; add one or more time slots to the question."),
    "need_exceeds_table": lambda f: ngettext(
        "It needs %(num)s person with %(skill)s, more than a table of at most %(table_max)s seats; "
        "raise the table size.",
        "It needs %(num)s people with %(skill)s, more than a table of at most %(table_max)s seats; "
        "raise the table size.",
        f["count"],
        skill=_skill(f["skill"]),
        table_max=f["table_max"],
    ),
    "fixed_session_unavailable": lambda f: _(
        "Its fixed session, %(place)s, cannot be held (the venue is unavailable or too small).",
        place=_place(f),
    ),
    "venues_too_small": lambda f: ngettext(
        "Every allowed venue seats fewer than %(num)s person; allow a larger venue.",
        "Every allowed venue seats fewer than %(num)s people; allow a larger venue.",
        f["table_min"],
    ),
    "no_venue_available": lambda f: _(
        "No allowed venue is available in any of its time slots; allow another venue or time slot."
    ),
    "pin_cannot_attend": lambda f: _(
        "%(name)s is pinned to it but cannot come in any of its time slots and venues; remove the pin.",
        name=_person(f),
    ),
    "no_slot_with_need": _no_slot_with_need,
    "no_slot_with_people": _no_slot_with_people,
    "crowded_out": _crowded_out,
    # shell: unfilled roles
    "no_skill": lambda f: _("No professional has %(who)s.", who=_role_who(f)),
    "not_qualified": lambda f: ngettext(
        "%(num)s professional has %(who)s but is not qualified.",
        "%(num)s professionals have %(who)s but none of them is qualified.",
        f["count"],
        who=_role_who(f),
    ),
    "all_excluded": lambda f: _(
        "Every qualified professional with %(who)s is excluded from the project.", who=_role_who(f)
    ),
    "too_far": lambda f: _(
        "No qualified professional with %(who)s lives within their travel distance of the project; "
        "the nearest is %(name)s at %(km)s km (travels up to %(max_km)s km).",
        who=_role_who(f),
        name=_person(f),
        km=_number(f["km"]),
        max_km=_number(f["max_km"]),
    ),
    "no_free_hours": _no_free_hours,
    "holds_other_role": lambda f: _(
        "Every eligible professional with %(who)s and free hours already holds another role in the project.",
        who=_role_who(f),
    ),
    "over_budget": lambda f: _(
        "The project's budget would be exceeded: the cheapest eligible professional, %(name)s, costs %(cost)s "
        "and %(remaining)s of %(budget)s is left.",
        name=_person(f),
        cost=_money(f["cost"]),
        remaining=_money(f["remaining"]),
        budget=_money(f["budget"]),
    ),
    "lowers_score": lambda f: _(
        "Filling it would lower the score: the best candidate, %(name)s, adds %(value)s "
        "(cost and travel outweigh the filled hours).",
        name=_person(f),
        value=_number(f["value"]),
    ),
    "search_stopped": lambda f: _(
        "%(name)s could fill it (adds %(value)s to the score); the search stopped before the plan was proved "
        "optimal.",
        name=_person(f),
        value=_number(f["value"]),
    ),
    # shell: why this professional
    "level": lambda f: _(
        "has %(skill)s at level %(level)s (at least %(min_level)s asked)",
        skill=_skill(f["skill"]),
        level=f["level"],
        min_level=f["min_level"],
    ),
    "cost": _cost,
    "preferred": lambda f: _("preferred by the project (took part in its swarm session)"),
    "project_km": lambda f: _("%(km)s km from the project", km=_number(f["km"])),
    "recent_assignments": lambda f: ngettext(
        "%(num)s recent assignment", "%(num)s recent assignments", f["count"]
    ),
    "pinned": lambda f: _("pinned"),
    "kept": lambda f: _("kept from the previous plan"),
    "adds_score": lambda f: _("adds %(value)s to the score", value=_number(f["value"])),
}


def _your_turns(f: dict) -> str:
    """Turns as the person reads them: a wait counts for them, and recent invitations are no reason against."""
    waited = f.get("rounds_waited", 0)
    if waited:
        return ngettext(
            "you were available in %(num)s round since your last invitation, so it was your turn",
            "you were available in %(num)s rounds since your last invitation, so it was your turn",
            waited,
        )
    if not f.get("recent_invitations"):
        return ngettext(
            "you were not invited in the last round",
            "you were not invited in the last %(num)s rounds",
            f.get("window_rounds") or 1,
        )
    return ""  # invited recently: the fair spread did not speak for them, and is no reason to mention


# Why you were invited, in plain second person, on the professional's own pages.
_YOUR_RENDER = {
    "skill": lambda f: _(
        "you have %(skill)s at level %(level)s (at least %(min_level)s was asked)",
        skill=_skill(f.get("skill", "")),
        level=f.get("level"),
        min_level=f.get("min_level"),
    ),
    "availability": lambda f: (
        _("you said you can come at this time")
        if f.get("answer") == "yes"
        else _("you said you can come at this time if need be")
    ),
    "travel": lambda f: _("you live %(km)s km from the venue", km=f.get("km")),
    "turns": _your_turns,
    "chosen_by_coordinator": lambda f: _("the coordinator chose you"),
}


def your_reasons(reasons) -> list[str]:
    """Why you were invited, one sentence each, in the page's language; the same sentence only once."""
    sentences = []
    for item in reasons or []:
        render, facts = _YOUR_RENDER.get(item.get("code")), item.get("facts")
        if render is None or not isinstance(facts, dict):
            continue  # an engine's reason about others (not one of an invitation's own codes)
        try:
            sentence = render(facts)
        except (KeyError, TypeError, ValueError):
            continue
        if sentence:
            sentences.append(sentence)
    return list(dict.fromkeys(sentences))


def register(app) -> None:
    app.add_template_global(your_reasons)
    app.add_template_global(reason_text)
    app.add_template_global(reasons_text)
    app.add_template_global(unscheduled_text)
