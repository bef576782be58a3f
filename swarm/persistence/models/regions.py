"""Regions with their planning policy, municipalities, places and the skill catalogue."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from swarm.domain import weights as defaults
from swarm.persistence.columns import created, fk, id_field, json_field


class Region(SQLModel, table=True):
    """A labour-market region (e.g. the Achterhoek) and its planning policy.

    The score weights are columns so that the organizer's equal-treatment policy (fairness weight, history window)
    is an ordinary form; the shell weights rarely change and live in ``shell_weights`` (missing keys: the defaults).
    """

    __tablename__ = "regions"

    id: int | None = id_field()
    slug: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=120)
    timezone: str = Field(default="Europe/Amsterdam", max_length=60)
    rounds_per_session: int = Field(default=defaults.DEFAULT_ROUNDS_PER_SESSION)
    max_parallel_sessions: int | None = Field(default=None)  # how many facilitators there are; None: no limit
    weight_scheduled: int = Field(default=defaults.SWARM_WEIGHTS["scheduled"])
    weight_skill: int = Field(default=defaults.SWARM_WEIGHTS["skill"])
    weight_maybe: int = Field(default=defaults.SWARM_WEIGHTS["maybe"])
    weight_travel_km: int = Field(default=defaults.SWARM_WEIGHTS["travel_km"])
    weight_fairness: int = Field(default=defaults.SWARM_WEIGHTS["fairness"])
    weight_repeat_table: int = Field(default=defaults.SWARM_WEIGHTS["repeat_table"])
    weight_change: int = Field(default=defaults.SWARM_WEIGHTS["change"])
    history_window_rounds: int = Field(default=defaults.DEFAULT_HISTORY_WINDOW_ROUNDS)
    # The guaranteed turn (solver extension ``policy.guaranteed_turn``): None switches it off.
    guaranteed_turn_after_rounds: int | None = Field(default=None)
    guaranteed_turn_max_skill_percent: int = Field(default=defaults.DEFAULT_GUARANTEED_TURN_MAX_SKILL_PERCENT)
    shell_weights: dict = json_field()
    shell_history_weeks: int = Field(default=defaults.DEFAULT_SHELL_HISTORY_WEEKS)
    created_at: datetime = created()

    def swarm_weights(self) -> dict[str, int]:
        return {name: getattr(self, f"weight_{name}") for name in defaults.SWARM_WEIGHTS}

    def swarm_policy(self) -> dict:
        """The instance's ``policy`` object: the guaranteed turn when the organizer switched it on."""
        if self.guaranteed_turn_after_rounds is None:
            return {}
        return {
            "guaranteed_turn": {
                "after_rounds": self.guaranteed_turn_after_rounds,
                "max_skill_percent": self.guaranteed_turn_max_skill_percent,
            }
        }

    def shell_weight_values(self) -> dict[str, int]:
        return {**defaults.SHELL_WEIGHTS, **(self.shell_weights or {})}


class Municipality(SQLModel, table=True):
    """A municipality (gemeente) identified by its CBS code, e.g. GM1509 Oude IJsselstreek."""

    __tablename__ = "municipalities"

    id: int | None = id_field()
    cbs_code: str = Field(max_length=6, unique=True)
    name: str = Field(max_length=120)
    region_id: int = fk("regions.id", ondelete="RESTRICT")
    seat_name: str = Field(default="", max_length=120)  # the place of the town hall
    lat: float | None = None
    lon: float | None = None


class Place(SQLModel, table=True):
    """A real place (from GeoNames) people pick as their home: a place and a radius, never a street address."""

    __tablename__ = "places"

    id: int | None = id_field()
    name: str = Field(max_length=120, index=True)
    lat: float
    lon: float
    geonameid: int | None = Field(default=None, unique=True)
    municipality_id: int | None = fk("municipalities.id", nullable=True, ondelete="SET NULL")
    population: int | None = None


class Skill(SQLModel, table=True):
    """A skill (competentie) of the catalogue; ``code`` is the id in the solver formats."""

    __tablename__ = "skills"

    id: int | None = id_field()
    code: str = Field(max_length=60, unique=True)
    name_nl: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    description_nl: str = Field(default="", max_length=500)
    description_en: str = Field(default="", max_length=500)
