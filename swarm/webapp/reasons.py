"""Turn the services' structured reasons ("why was this person invited") into sentences in the page's language."""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from flask_babel import ngettext

from swarm.webapp import reads
from swarm.webapp.db import db
from swarm.webapp.i18n import skill_name


def _skill(code: str) -> str:
    if "skill_names" not in g:
        g.skill_names = {skill.code: skill_name(skill) for skill in reads.list_skills(db())}
    return g.skill_names.get(code, code)


def reason_text(reason) -> str:
    if not isinstance(reason, dict):
        return str(reason)
    code = reason.get("code")
    if code == "skill":
        return _(
            "has %(skill)s at level %(level)s (at least %(min_level)s asked)",
            skill=_skill(reason.get("skill", "")),
            level=reason.get("level"),
            min_level=reason.get("min_level"),
        )
    if code == "availability":
        return (
            _("answered yes for this time")
            if reason.get("answer") == "yes"
            else _("answered if need be for this time")
        )
    if code == "travel":
        return _("%(km)s km from the venue", km=reason.get("km"))
    if code == "turns":
        count = reason.get("recent_invitations", 0)
        return ngettext(
            "%(num)s invitation in the last %(window)s rounds",
            "%(num)s invitations in the last %(window)s rounds",
            count,
            window=reason.get("window_rounds"),
        )
    return ", ".join(f"{key}: {value}" for key, value in reason.items() if key != "code")


def reasons_text(reasons) -> str:
    return "; ".join(reason_text(reason) for reason in reasons or [])


def unscheduled_text(reason: str) -> str:
    """The solver's reason for an unscheduled request (its own words; translated when the catalogue knows them)."""
    return _(reason) if reason else ""


def register(app) -> None:
    app.add_template_global(reason_text)
    app.add_template_global(reasons_text)
