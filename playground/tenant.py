"""The mocked tenant of playground/m365agentsplayground.yml, and variants acting as someone else.

The Playground always sends as its `currentUser`, so to be a systemejer rather than the
coordinator, it is started on a copy of the config with another current user.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CONFIG_PATH = Path(__file__).with_name("m365agentsplayground.yml")


@dataclass(frozen=True, slots=True)
class User:
    """One person in the mocked tenant, with the ids the bot sees on their activities."""

    teams_id: str
    navn: str
    email: str
    aad_object_id: str


@dataclass(frozen=True, slots=True)
class Tenant:
    tenant_id: str
    personal_chat_id: str
    current_user: User
    users: tuple[User, ...]

    @property
    def everyone(self) -> tuple[User, ...]:
        return (self.current_user, *self.users)

    def user(self, email: str) -> User:
        """The person with this e-mail; KeyError names the ones there are."""
        for user in self.everyone:
            if user.email == email.lower():
                return user
        raise KeyError(
            f"{email} is not in the Playground tenant: {[u.email for u in self.everyone]}"
        )


def load_tenant(path: Path = CONFIG_PATH) -> Tenant:
    raw = _read(path)
    return Tenant(
        tenant_id=raw["tenantId"],
        personal_chat_id=raw["personalChat"]["id"],
        current_user=_user(raw["currentUser"]),
        users=tuple(_user(u) for u in raw["users"]),
    )


def write_config_as(email: str, destination: Path, source: Path = CONFIG_PATH) -> Path:
    """Write a copy of the config whose current user is the person with this e-mail.

    The former current user joins the other users, so the roster stays the same tenant.
    """
    raw = _read(source)
    people = [raw["currentUser"], *raw["users"]]
    wanted = email.lower()
    chosen = [p for p in people if p["email"].lower() == wanted]
    if not chosen:
        raise KeyError(f"{email} is not in {source}")
    raw["currentUser"] = chosen[0]
    raw["users"] = [p for p in people if p is not chosen[0]]
    destination.write_text(
        f"# Generated from {source.name}, acting as {email}.\n"
        + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return destination


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as file:
        loaded: dict[str, Any] = yaml.safe_load(file)
    return loaded


def _user(raw: dict[str, Any]) -> User:
    return User(
        teams_id=raw["id"],
        navn=raw["name"],
        email=raw["email"].lower(),
        aad_object_id=raw["aadObjectId"],
    )
