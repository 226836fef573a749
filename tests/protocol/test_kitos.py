"""The KITOS API v2 client against a local KITOS: paging, owners' e-mails, 401, 429 and 5xx."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.kitos import KitosClient, KitosError, KitosErrorKind
from storage.domain.kitos import KitosPerson, Livscyklus
from tests.support.kitos_api import ORGANISATION, TOKEN, Failure, KitosStandIn, usage

ANNE = "30000000-0000-4000-8000-000000000001"
BO = "30000000-0000-4000-8000-000000000002"


@pytest.fixture
async def kitos() -> AsyncIterator[KitosStandIn]:
    stand_in = KitosStandIn()
    await stand_in.start()
    yield stand_in
    await stand_in.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


class Waits:
    """Records what the client waited, without spending the seconds."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def _client(
    kitos: KitosStandIn,
    session: aiohttp.ClientSession,
    *,
    token: str = TOKEN,
    page_size: int = 250,
    waits: Waits | None = None,
) -> KitosClient:
    return KitosClient(
        session, kitos.url, token, page_size=page_size, sleep=waits or Waits(), max_wait=30.0
    )


async def test_all_pages_of_usages_come_with_life_cycle_unit_and_owner_emails(
    kitos: KitosStandIn, session: aiohttp.ClientSession
) -> None:
    kitos.add_user(ANNE, "Anne Holm", "ah@aarhus.dk")
    kitos.add_user(BO, "Bo Ravn", "br@aarhus.dk")
    kitos.usages[ORGANISATION["uuid"]] = [
        usage(
            "SBSYS",
            "Operational",
            number=1,
            lokalt_navn="ESDH",
            enhed="Borgerservice",
            roles=(("Systemejer", ANNE, "Anne Holm"), ("Systemansvarlig", BO, "Bo Ravn")),
        ),
        usage("Captia", "NotInUse", number=2, roles=(("Systemejer", BO, "Bo Ravn"),)),
        usage("Aula", None, number=3),
        usage("KMD Nexus", "PhasingOut", number=4),
        usage("Opus Løn", "Undecided", number=5),
    ]

    systems = await _client(kitos, session, page_size=2).system_usages(ORGANISATION["uuid"])

    assert [(s.navn, s.livscyklus) for s in systems] == [
        ("SBSYS", Livscyklus.OPERATIONAL),
        ("Captia", Livscyklus.NOT_IN_USE),
        ("Aula", None),
        ("KMD Nexus", Livscyklus.PHASING_OUT),
        ("Opus Løn", Livscyklus.UNDECIDED),
    ]
    assert (systems[0].lokalt_navn, systems[0].ansvarlig_enhed) == ("ESDH", "Borgerservice")
    assert systems[0].systemejere == (KitosPerson("Anne Holm", "ah@aarhus.dk"),)
    assert systems[1].systemejere == (KitosPerson("Bo Ravn", "br@aarhus.dk"),)
    pages = [c.query for c in kitos.calls if c.path == "/api/v2/it-system-usages"]
    assert [(p["page"], p["pageSize"]) for p in pages] == [("0", "2"), ("1", "2"), ("2", "2")]
    assert {p["organizationUuid"] for p in pages} == {ORGANISATION["uuid"]}


async def test_a_systemejer_unknown_to_kitos_keeps_the_name_without_email(
    kitos: KitosStandIn, session: aiohttp.ClientSession
) -> None:
    kitos.usages[ORGANISATION["uuid"]] = [
        usage("SBSYS", roles=(("Systemejer", ANNE, "Anne Holm"),))
    ]

    systems = await _client(kitos, session).system_usages(ORGANISATION["uuid"])

    assert systems[0].systemejere == (KitosPerson("Anne Holm", None),)


async def test_a_wrong_or_expired_token_is_unauthorized(
    kitos: KitosStandIn, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(KitosError) as raised:
        await _client(kitos, session, token="expired").organisations()

    assert (raised.value.kind, raised.value.status) == (KitosErrorKind.UNAUTHORIZED, 401)


async def test_429_is_retried_after_the_seconds_kitos_asks(
    kitos: KitosStandIn, session: aiohttp.ClientSession
) -> None:
    kitos.usages[ORGANISATION["uuid"]] = [usage("SBSYS")]
    kitos.fail_next(Failure(429, {"Retry-After": "7"}), Failure(503))
    waits = Waits()

    systems = await _client(kitos, session, waits=waits).system_usages(ORGANISATION["uuid"])

    assert [s.navn for s in systems] == ["SBSYS"]
    assert waits.seconds == [7.0, 2.0]
    assert len(kitos.calls) == 3


async def test_a_wait_longer_than_a_person_would_is_unavailable_with_the_wait(
    kitos: KitosStandIn, session: aiohttp.ClientSession
) -> None:
    kitos.fail_next(Failure(429, {"Retry-After": "600"}))
    waits = Waits()

    with pytest.raises(KitosError) as raised:
        await _client(kitos, session, waits=waits).system_usages(ORGANISATION["uuid"])

    assert (raised.value.kind, raised.value.retry_after) == (KitosErrorKind.UNAVAILABLE, 600.0)
    assert waits.seconds == []


async def test_kitos_down_is_unavailable_after_the_attempts(
    kitos: KitosStandIn, session: aiohttp.ClientSession
) -> None:
    kitos.fail_next(*[Failure(503)] * 4)

    with pytest.raises(KitosError) as raised:
        await _client(kitos, session).organisations()

    assert (raised.value.kind, raised.value.status) == (KitosErrorKind.UNAVAILABLE, 503)
    assert len(kitos.calls) == 4


async def test_no_server_at_all_is_unavailable(session: aiohttp.ClientSession) -> None:
    client = KitosClient(session, "http://127.0.0.1:9", TOKEN, attempts=2, sleep=Waits())

    with pytest.raises(KitosError) as raised:
        await client.organisations()

    assert raised.value.kind is KitosErrorKind.UNAVAILABLE


@pytest.mark.parametrize(
    ("organisations", "expected"),
    [
        ([{"uuid": "o1", "name": "Aarhus Kommune"}], "o1"),
        ([{"uuid": "o1", "name": "Skanderborg Kommune"}], "o1"),
        (
            [
                {"uuid": "o1", "name": "Skanderborg Kommune"},
                {"uuid": "o2", "name": "AARHUS kommune"},
            ],
            "o2",
        ),
    ],
)
async def test_the_kommunes_organisation_is_the_only_one_or_the_one_named_so(
    kitos: KitosStandIn,
    session: aiohttp.ClientSession,
    organisations: list[dict[str, str]],
    expected: str,
) -> None:
    kitos.organisations = organisations

    organisation = await _client(kitos, session).organisation_for("Aarhus Kommune")

    assert organisation.uuid == expected
    assert kitos.calls[0].query["onlyWhereUserHasMembership"] == "true"


@pytest.mark.parametrize(
    "organisations",
    [
        [],
        [{"uuid": "o1", "name": "Skanderborg Kommune"}, {"uuid": "o2", "name": "Odder Kommune"}],
    ],
)
async def test_no_organisation_of_the_kommune_says_so(
    kitos: KitosStandIn, session: aiohttp.ClientSession, organisations: list[dict[str, str]]
) -> None:
    kitos.organisations = organisations

    with pytest.raises(KitosError) as raised:
        await _client(kitos, session).organisation_for("Aarhus Kommune")

    assert raised.value.kind is KitosErrorKind.NO_ORGANISATION


async def test_a_usage_without_a_system_name_is_a_bad_response(
    kitos: KitosStandIn, session: aiohttp.ClientSession
) -> None:
    broken = usage("SBSYS")
    broken["systemContext"] = {"uuid": "x"}
    kitos.usages[ORGANISATION["uuid"]] = [broken]

    with pytest.raises(KitosError) as raised:
        await _client(kitos, session).system_usages(ORGANISATION["uuid"])

    assert raised.value.kind is KitosErrorKind.BAD_RESPONSE
