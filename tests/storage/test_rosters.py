"""The teams and group chats the bot knows, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.rosters import RosterKind, RosterRepository


async def test_a_team_keeps_its_name_is_marked_when_removed_and_revived_when_added(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    rosters = RosterRepository(sessions)
    team = {"tenant_id": "t", "conversation_id": "19:team", "kind": RosterKind.TEAM}
    await rosters.remember(**team, navn="Kommunens IT", service_url="https://smba/emea/")
    await rosters.remember(**team, navn="", service_url="https://smba/emea/2/")
    await rosters.remember(
        tenant_id="t",
        conversation_id="19:chat",
        kind=RosterKind.GROUP_CHAT,
        navn="Økonomigruppen",
        service_url="https://smba/emea/",
    )
    await rosters.remember(**team | {"tenant_id": "other"}, navn="Andet", service_url="x")

    await rosters.mark_removed("t", "19:team")
    known = await rosters.known("t")

    assert [(r.navn, r.kind, r.installed) for r in known] == [
        ("Økonomigruppen", RosterKind.GROUP_CHAT, True),
        ("Kommunens IT", RosterKind.TEAM, False),
    ]
    assert known[1].service_url == "https://smba/emea/2/"
    await rosters.remember(**team, navn="", service_url="https://smba/emea/2/")
    assert [r.installed for r in await rosters.known("t")] == [True, True]
