"""Rows to domain values, shared by every repository: fields by column name, never position."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, overload

from storage.domain.forslag import Afgjort, ForeslaaetTilfoejelse, Kilde
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


def decision(afgjort: str | None) -> Afgjort | None:
    """The coordinator's decision on a suggestion as stored (None: not decided yet)."""
    return Afgjort(afgjort) if afgjort else None


def to_tilfoejelse(row: Any) -> ForeslaaetTilfoejelse:
    """A suggested addition from its row, or from a query's row with the same column names."""
    return ForeslaaetTilfoejelse(
        id=row.id,
        navn=row.navn,
        leverandoer=row.leverandoer,
        anvendelse=row.anvendelse,
        kilde=Kilde(row.kilde),
        afgjort=decision(row.afgjort),
        bemaerkning=row.bemaerkning,
        fagomraade_id=row.fagomraade_id,
    )
