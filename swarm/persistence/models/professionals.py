"""Professionals (zzp'ers) of the flexible shell: profile, skills, qualification documents, availability."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from swarm.domain.enums import AvailabilityAnswer, DocumentKind, DocumentStatus
from swarm.persistence.columns import created, enum_type, fk, id_field, when

KVK_OWNED = "anonymised_at IS NULL AND kvk_number <> ''"


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
        # One KvK number belongs to one professional; erased profiles (all 00000000) and the few whose number
        # was taken by an earlier registration before this rule (left empty by migration 0009) are not counted.
        sa.Index(
            "uq_professionals_kvk_number",
            "kvk_number",
            unique=True,
            sqlite_where=sa.text(KVK_OWNED),
            postgresql_where=sa.text(KVK_OWNED),
        ),
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
    """A proof of suitability: the file the professional uploaded and the outcome of an organizer's check.

    The file lives in the document store (``SWARM_DOCUMENT_DIR``) under ``file_id``, a random name; ``file_name``
    is the sender's name, cleaned, for display only. Only an approved document has an ``expires_on`` that counts
    (``rules.qualification_on``); whether someone is qualified on a date is derived, never stored. An approved row
    without ``checked_by_id`` was approved without a check in this app: a document that existed before checks did
    (migration 0009), or demo data.
    """

    __tablename__ = "qualification_documents"
    __table_args__ = (sa.CheckConstraint("size_bytes >= 0", name="size_bytes"),)

    id: int | None = id_field()
    professional_id: int = fk("professionals.id")
    kind: DocumentKind = Field(sa_type=enum_type(DocumentKind))
    status: DocumentStatus = Field(
        default=DocumentStatus.PENDING,
        sa_type=enum_type(DocumentStatus),
        index=True,
        sa_column_kwargs={"server_default": DocumentStatus.PENDING.value},
    )
    issued_on: date | None = None
    expires_on: date | None = Field(default=None, index=True)
    reference: str = Field(default="", max_length=200)  # e.g. the policy or certificate number
    # Server defaults too: the demo seed's bulk insert (raw SQL) names only the columns it fills.
    file_id: str | None = Field(default=None, max_length=64, unique=True)
    file_name: str = Field(default="", max_length=120, sa_column_kwargs={"server_default": ""})
    content_type: str = Field(default="", max_length=40, sa_column_kwargs={"server_default": ""})
    size_bytes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    sha256: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})
    uploaded_at: datetime = created()
    checked_at: datetime | None = when()
    checked_by_id: int | None = fk("users.id", nullable=True, ondelete="SET NULL")
    rejection_reason: str = Field(default="", max_length=500, sa_column_kwargs={"server_default": ""})
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
