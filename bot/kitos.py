"""KITOS API v2 client: the kommune's it-system-usages with life cycle and Systemejer.

The only module that speaks to KITOS. It returns storage.domain.kitos types, so what the
systems suggest is decided by the pure matcher, not here. Endpoints, fields and limits are
described, with their source in KITOS' code, in docs/kitos.md.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.connector import parse_retry_after
from storage.domain.answers import normalise
from storage.domain.kitos import (
    SYSTEMEJER_ROLE,
    KitosError,
    KitosErrorKind,
    KitosPerson,
    KitosSystem,
    parse_livscyklus,
)

logger = logging.getLogger(__name__)

# KITOS' BoundedPaginationQuery accepts pageSize 1..250; the largest page costs fewest calls.
PAGE_SIZE = 250
# KITOS is a shared national service: a few requests at a time for the owners' e-mails.
_CONCURRENT_LOOKUPS = 4
_RETRYABLE = frozenset({429, 502, 503, 504})
_TIMEOUT = aiohttp.ClientTimeout(total=30)


@dataclass(frozen=True, slots=True)
class KitosOrganisation:
    uuid: str
    navn: str
    cvr: str | None


class KitosClient:
    """Reads one KITOS installation with one API token, over the caller's aiohttp session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        token: str,
        *,
        page_size: int = PAGE_SIZE,
        attempts: int = 4,
        max_wait: float = 30.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._session = session
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self._page_size = page_size
        self._attempts = attempts
        self._max_wait = max_wait
        self._sleep = sleep

    async def organisations(self) -> list[KitosOrganisation]:
        """The organisations the API user is a member of."""
        rows = await self._all_pages(
            "/api/v2/organizations", {"onlyWhereUserHasMembership": "true"}
        )
        return [
            KitosOrganisation(
                uuid=_text(row, "uuid"), navn=_text(row, "name"), cvr=_optional(row, "cvr")
            )
            for row in rows
        ]

    async def organisation_for(self, kommune: str) -> KitosOrganisation:
        """The API user's organisation: the only one, or the one named like the kommune."""
        organisations = await self.organisations()
        if len(organisations) == 1:
            return organisations[0]
        wanted = normalise(kommune)
        named = [o for o in organisations if normalise(o.navn) == wanted]
        if len(named) != 1:
            logger.warning(
                "kitos: %d organisations, %d named alike", len(organisations), len(named)
            )
            raise KitosError(KitosErrorKind.NO_ORGANISATION)
        return named[0]

    async def system_usages(self, organisation_uuid: str) -> list[KitosSystem]:
        """Every system the organisation uses, with life cycle, unit and Systemejer e-mails."""
        rows = await self._all_pages(
            "/api/v2/it-system-usages",
            {"organizationUuid": organisation_uuid, "orderByProperty": "CreationOrder"},
        )
        owners = {
            _text(_mapping(role, "user"), "uuid")
            for row in rows
            for role in _list(row, "roles")
            if _is_systemejer(role)
        }
        emails = await self._emails(organisation_uuid, sorted(owners))
        systems = [_to_system(row, emails) for row in rows]
        logger.info("kitos: %d system usages, %d systemejere", len(systems), len(owners))
        return systems

    async def _emails(self, organisation_uuid: str, user_uuids: list[str]) -> dict[str, str]:
        limit = asyncio.Semaphore(_CONCURRENT_LOOKUPS)

        async def email(user_uuid: str) -> tuple[str, str | None]:
            async with limit:
                path = f"/api/v2/organizations/{organisation_uuid}/users/{user_uuid}"
                try:
                    user = await self._get(path, {})
                except KitosError as exc:
                    if exc.status != 404:
                        raise
                    # A systemejer who has left the organisation: the name still suggests.
                    return user_uuid, None
            if not isinstance(user, Mapping):
                raise KitosError(KitosErrorKind.BAD_RESPONSE)
            return user_uuid, _optional(user, "email")

        found = await asyncio.gather(*(email(uuid) for uuid in user_uuids))
        return {uuid: mail for uuid, mail in found if mail}

    async def _all_pages(self, path: str, query: Mapping[str, str]) -> list[dict[str, Any]]:
        """Page through a collection; KITOS' pages are 0-based and a short page is the last."""
        rows: list[dict[str, Any]] = []
        page = 0
        while True:
            params = {**query, "page": str(page), "pageSize": str(self._page_size)}
            batch = await self._get(path, params)
            if not isinstance(batch, list) or not all(isinstance(r, dict) for r in batch):
                raise KitosError(KitosErrorKind.BAD_RESPONSE)
            rows.extend(batch)
            if len(batch) < self._page_size:
                return rows
            page += 1

    async def _get(self, path: str, params: Mapping[str, str]) -> Any:
        for attempt in range(1, self._attempts + 1):
            try:
                async with self._session.get(
                    self._base + path, params=params, headers=self._headers, timeout=_TIMEOUT
                ) as response:
                    if response.status == 200:
                        try:
                            return await response.json(content_type=None)
                        except ValueError as exc:
                            raise KitosError(KitosErrorKind.BAD_RESPONSE, status=200) from exc
                    # A copy keeps header names case-insensitive for Retry-After.
                    status, headers = response.status, response.headers.copy()
            except (aiohttp.ClientError, TimeoutError) as exc:
                logger.warning("kitos: %s on attempt %d: %s", path, attempt, type(exc).__name__)
                if attempt == self._attempts:
                    raise KitosError(KitosErrorKind.UNAVAILABLE) from exc
                await self._sleep(float(attempt))
                continue
            if status == 401:
                raise KitosError(KitosErrorKind.UNAUTHORIZED, status=status)
            if status == 403:
                raise KitosError(KitosErrorKind.FORBIDDEN, status=status)
            if status not in _RETRYABLE:
                logger.warning("kitos: %s answered %d", path, status)
                raise KitosError(KitosErrorKind.BAD_RESPONSE, status=status)
            wait = parse_retry_after(headers)
            wait = float(attempt) if wait is None else wait
            if attempt == self._attempts or wait > self._max_wait:
                raise KitosError(KitosErrorKind.UNAVAILABLE, status=status, retry_after=wait)
            logger.warning("kitos: %s answered %d; retrying in %.1f s", path, status, wait)
            await self._sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")


def _is_systemejer(role: Mapping[str, Any]) -> bool:
    return normalise(str(_mapping(role, "role").get("name", ""))) == normalise(SYSTEMEJER_ROLE)


def _to_system(row: Mapping[str, Any], emails: Mapping[str, str]) -> KitosSystem:
    """Map an ItSystemUsageResponseDTO (camelCase JSON) to a KitosSystem."""
    general = _mapping(row, "general")
    unit = _mapping(_mapping(row, "organizationUsage"), "responsibleOrganizationUnit")
    owners = tuple(
        KitosPerson(
            navn=_text(_mapping(role, "user"), "name"),
            email=emails.get(_text(_mapping(role, "user"), "uuid")),
        )
        for role in _list(row, "roles")
        if _is_systemejer(role)
    )
    return KitosSystem(
        navn=_text(_mapping(row, "systemContext"), "name"),
        lokalt_navn=_optional(general, "localCallName"),
        lokalt_id=_optional(general, "localSystemId"),
        livscyklus=parse_livscyklus(_optional(_mapping(general, "validity"), "lifeCycleStatus")),
        ansvarlig_enhed=_optional(unit, "name"),
        systemejere=owners,
        uuid=_text(row, "uuid"),
    )


# KITOS' JSON is read defensively: any shape other than API v2's is BAD_RESPONSE, not a crash.
def _mapping(row: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = row.get(key) or {}
    if not isinstance(value, Mapping):
        raise KitosError(KitosErrorKind.BAD_RESPONSE)
    return value


def _optional(row: Mapping[str, Any], key: str) -> str | None:
    value = row.get(key)
    if value is not None and not isinstance(value, str):
        raise KitosError(KitosErrorKind.BAD_RESPONSE)
    return (value.strip() or None) if value is not None else None


def _text(row: Mapping[str, Any], key: str) -> str:
    value = _optional(row, key)
    if value is None:
        raise KitosError(KitosErrorKind.BAD_RESPONSE)
    return value


def _list(row: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = row.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise KitosError(KitosErrorKind.BAD_RESPONSE)
    return value


class KitosReader:
    """The dialogs' KitosSource (dialogs.ports): one kommune's systems from KITOS' API.

    Owns its HTTP session, opened on first use. It is read inside the coordinator's turn,
    which Teams redelivers when it is not answered within 15 s: fewer attempts and a shorter
    wait than the client's defaults, and the coordinator is told to try again instead.
    """

    def __init__(self, base_url: str, token: str, **client_options: Any) -> None:
        self._base_url = base_url
        self._token = token
        self._options = {"attempts": 3, "max_wait": 5.0, **client_options}
        self._session: aiohttp.ClientSession | None = None

    async def system_usages(self, kommune: str) -> list[KitosSystem]:
        """Every system the kommune's organisation uses; KitosError when KITOS cannot be read."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        client = KitosClient(self._session, self._base_url, self._token, **self._options)
        organisation = await client.organisation_for(kommune)
        return await client.system_usages(organisation.uuid)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
