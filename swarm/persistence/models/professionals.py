"""Professionals (zzp'ers) of the flexible shell: profile, skills, qualification documents, availability."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from swarm.domain.enums import AvailabilityAnswer, DocumentKind
from swarm.persistence.columns import created, enum_type, fk, id_field, when


class Professional(SQLModel, table=True):
    """A registered professional. Home is a place and a radius, not a street address (AVG: store what is needed).

    ``lat``/``lon`` are copied from the home place so the solver mapping needs no join; ``anonymised_at`` marks a
    profile whose personal data were erased by the retention job (the row stays for the invitation history).
    """

    __tablename__ = "professionals"
    __table_args__ = (
        sa.CheckConstraint("travel_radius_km >= 0", name="travel_radius"),
        sa.CheckConstraint("max_sessions_per_round >= 0", name="max_sessions"),
        sa.CheckConstraint("hours_per_week BETWEEN 0 AND 80", name="hours_per_week"),
    )

    id: int | None = id_field()
    name: str = Field(max_length=200)
    email: str = Field(max_length=254, unique=True)
    kvk_number: str = Field(max_length=8, index=True)
    region_id: int = fk("regions.id", ondelete="RESTRICT")
    home_place_id: int | None = fk("places.id", nullable=True, ondelete="SET NULL")
    lat: float | None = None
    lon: float | None = None
    travel_radius_km: int = Field(default=30)
    hourly_rate: int = Field(default=0)  # whole euros, excluding VAT
    hours_per_week: int = Field(default=0)
    max_sessions_per_round: int = Field(default=1)
    bio: str = Field(default="", sa_type=sa.Text)
    agreement_signed_on: date | None = None  # the model agreement for the Wet DBA
    created_at: datetime = created()
    updated_at: datetime | None = when()
    last_active_at: datetime | None = when(index=True)
    retention_warned_at: datetime | None = when()
    anonymised_at: datetime | None = when()


class ProfessionalSkill(SQLModel, table=True):
    __tablename__ = "professional_skills"
    __table_args__ = (
        sa.UniqueConstraint("professional_id", "skill_id"),
        sa.CheckConstraint("level BETWEEN 1 AND 3", name="level"),
    )

    id: int | None = id_field()
    professional_id: int = fk("professionals.id")
    skill_id: int = fk("skills.id", ondelete="RESTRICT")
    level: int


class QualificationDocument(SQLModel, table=True):
    """A proof of suitability with its expiry date. Whether someone is qualified on a date is derived, never stored."""

    __tablename__ = "qualification_documents"

    id: int | None = id_field()
    professional_id: int = fk("professionals.id")
    kind: DocumentKind = Field(sa_type=enum_type(DocumentKind))
    issued_on: date | None = None
    expires_on: date = Field(index=True)
    reference: str = Field(default="", max_length=200)  # e.g. the policy or certificate number
    uploaded_at: datetime = created()
    expiry_warned_at: datetime | None = when()


class WeekCapacity(SQLModel, table=True):
    """Hours a professional can give in one ISO week when it differs from ``hours_per_week`` (holiday: 0)."""

    __tablename__ = "week_capacities"
    __table_args__ = (
        sa.UniqueConstraint("professional_id", "week"),
        sa.CheckConstraint("hours >= 0", name="hours"),
    )

    id: int | None = id_field()
    professional_id: int = fk("professionals.id")
    week: str = Field(max_length=8)  # 2027-W09
    hours: int


class Availability(SQLModel, table=True):
    """A professional's answer for one slot: yes, if need be (maybe) or no. No row means no."""

    __tablename__ = "availabilities"
    __table_args__ = (sa.UniqueConstraint("professional_id", "slot_id"),)

    id: int | None = id_field()
    professional_id: int = fk("professionals.id")
    slot_id: int = fk("slots.id")
    answer: AvailabilityAnswer = Field(sa_type=enum_type(AvailabilityAnswer))
    updated_at: datetime = created()
