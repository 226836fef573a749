"""Rows to domain values, shared by every repository: fields by column name, never position."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload

from storage.domain.model import Fagomraade, Person
from storage.models import FagomraadeRow, PersonRow


@overload
def aware(moment: datetime) -> datetime: ...
@overload
def aware(moment: None) -> None: ...
def aware(moment: datetime | None) -> datetime | None:
    """The moment in UTC: SQLite gives back naive datetimes, and everything stored is UTC."""
    if moment is None or moment.tzinfo:
        return moment
    return moment.replace(tzinfo=UTC)


def to_person(row: PersonRow) -> Person:
    return Person(
        id=row.id,
        tenant_id=row.tenant_id,
        aad_object_id=row.aad_object_id,
        navn=row.navn,
        email=row.email,
    )


def to_fagomraade(row: FagomraadeRow, antal_systemer: int) -> Fagomraade:
    return Fagomraade(
        id=row.id,
        navn=row.navn,
        position=row.position,
        antal_systemer=antal_systemer,
        indsendt_at=aware(row.indsendt_at),
    )
