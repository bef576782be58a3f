"""Uploaded files waiting for their import to be confirmed (upload -> preview -> confirm)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from swarm.persistence.columns import UTCDateTime, created, fk, id_field, json_field


class PendingImport(SQLModel, table=True):
    """The uploaded file itself, kept only for its preview: read again at every look and at the confirmation, so
    nothing parsed travels through the browser. Deleted when confirmed, discarded or expired.

    ``key`` is the random id in the preview's address; ``mapping``: the importer's choices for headers that name
    no field (header -> field key, "" to ignore)."""

    __tablename__ = "pending_imports"

    id: int | None = id_field()
    key: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=20)
    user_id: int = fk("users.id")
    region_id: int = fk("regions.id")
    municipality_id: int | None = fk("municipalities.id", nullable=True)
    filename: str = Field(default="", max_length=255)
    content: bytes = Field(sa_type=sa.LargeBinary)
    mapping: dict = json_field()
    created_at: datetime = created()
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
