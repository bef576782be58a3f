"""The audit log: who did what and when, append-only."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from swarm.domain.enums import AuditKind
from swarm.persistence.columns import UTCDateTime, enum_type, id_field, json_field


class AuditRecord(SQLModel, table=True):
    """One thing that happened, written in the transaction of the change itself (a failed login on its own).

    No foreign keys on purpose: a record outlives the account, region or row it names (erasing a person deletes
    their user row; the record keeps only the id), and it is never updated (migration 0011 adds a trigger that
    refuses UPDATE). ``actor_name`` is the staff member's display name when recorded (empty for the system and for
    professionals, who are named by id only); ``region_id`` lets an organizer see their own region's records.
    ``facts`` hold ids, codes and counts only, never personal data.
    """

    __tablename__ = "audit_records"
    __table_args__ = (sa.Index("ix_audit_records_region_id_at", "region_id", "at"),)

    id: int | None = id_field()
    at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    actor_id: int | None = Field(default=None, index=True)
    actor_role: str = Field(default="", max_length=20)
    actor_name: str = Field(default="", max_length=200)
    region_id: int | None = None
    kind: AuditKind = Field(sa_type=enum_type(AuditKind), index=True)
    subject_type: str = Field(default="", max_length=40)
    subject_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    facts: dict = json_field()
