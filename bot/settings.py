"""One frozen Settings object, built once from the environment. No other module reads os.environ."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/kortlaegning.db"

# The Teams app id of Kortlaegningsbot's package. Tenants are separate catalogues, so every
# municipality may keep it; two installations in one tenant (test and production) need two ids.
DEFAULT_TEAMS_APP_ID = "288dba68-fd43-44f1-87a4-08e5ed91c33b"

GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# Teams compares app versions numerically to accept an update; plain MAJOR.MINOR.PATCH only.
_APP_VERSION = re.compile(r"^(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)$")
# 32 random characters of base64url carry 192 bits; shorter keys invite offline guessing.
_SIGNING_KEY_MIN = 32
# The manifest schema's limit for developer.name.
_DEVELOPER_NAME_MAX = 32


class SettingsError(ValueError):
    """Every bad variable at once, by name, so the operator fixes them in one go."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        lines = "; ".join(f"{name}: {why}" for name, why in self.problems.items())
        super().__init__(f"invalid settings: {lines}")


@dataclass(frozen=True, slots=True)
class BotAuth:
    """The attribute names botbuilder's ConfigurationBotFrameworkAuthentication looks for."""

    APP_ID: str
    APP_PASSWORD: str = field(repr=False)
    APP_TYPE: str
    APP_TENANTID: str


@dataclass(frozen=True, slots=True)
class Settings:
    app_id: str = ""
    app_password: str = field(default="", repr=False)
    app_type: str = "MultiTenant"
    app_tenant_id: str = ""
    # A PostgreSQL URL may carry the database password.
    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)
    host: str = "127.0.0.1"
    port: int = 3978
    timezone: str = "Europe/Copenhagen"
    koordinatorer: tuple[str, ...] = ()
    tilladte_tenants: tuple[str, ...] = ()
    kombit_email: str = "infrastruktur@kombit.dk"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = True
    smtp_from: str = ""
    smtp_attempts: int = 3
    smtp_retry_seconds: int = 2
    """The wait before the second attempt; it doubles before each further one."""
    public_url: str = ""
    signing_key: str = field(default="", repr=False)
    download_link_hours: int = 24
    max_upload_bytes: int = 10 * 1024 * 1024
    max_request_bytes: int = 256 * 1024
    reminder_offsets: tuple[int, ...] = (14, 7, 3, 1, 0)
    reminder_time: time = time(9, 0)
    reminders_enabled: bool = True
    reminder_risk_working_days: int = 5
    reminder_interval_seconds: int = 60
    conversation_send_limits: tuple[tuple[int, float], ...] = (
        (7, 1.0),
        (8, 2.0),
        (60, 30.0),
        (1800, 3600.0),
    )
    """Teams' per-conversation limits as (messages, seconds) windows, all kept at once."""
    tenant_requests_per_second: int = 30
    delivery_give_up_seconds: int = 3600
    log_level: str = "INFO"
    # The Teams app package (`kortlaegning package`); bot.packaging derives the empty ones.
    teams_app_id: str = DEFAULT_TEAMS_APP_ID
    app_version: str = ""
    developer_name: str = ""
    developer_url: str = ""
    privacy_url: str = ""
    terms_url: str = ""
    # KITOS API v2 (docs/kitos.md): both set, or neither and the coordinator uploads the export.
    kitos_url: str = ""
    kitos_token: str = field(default="", repr=False)

    @property
    def kitos_enabled(self) -> bool:
        """The bot reads KITOS itself when it has an address and a token."""
        return bool(self.kitos_url and self.kitos_token)

    @property
    def auth_enabled(self) -> bool:
        """No app id means a local trial: botbuilder then skips JWT validation."""
        return bool(self.app_id)

    def serves_tenant(self, tenant_id: str) -> bool:
        """Tell whether the bot serves this tenant: any when TILLADTE_TENANTS is empty."""
        return not self.tilladte_tenants or tenant_id.lower() in {
            allowed.lower() for allowed in self.tilladte_tenants
        }

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def bot_auth(self) -> BotAuth:
        return BotAuth(
            APP_ID=self.app_id,
            APP_PASSWORD=self.app_password,
            APP_TYPE=self.app_type,
            APP_TENANTID=self.app_tenant_id,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Parse and validate every variable; raise one SettingsError naming all bad ones."""
        problems: dict[str, str] = {}
        values: dict[str, object] = {}
        # With slots=True, cls.<field> is a slot descriptor, not the default; ask an instance.
        defaults = cls()

        def text(name: str, attr: str) -> None:
            raw = environ.get(name)
            if raw is not None and raw.strip():
                values[attr] = raw.strip()

        def integer(name: str, attr: str, low: int, high: int) -> None:
            raw = environ.get(name, "").strip()
            if not raw:
                return
            try:
                number = int(raw)
            except ValueError:
                problems[name] = f"not a whole number: {raw!r}"
                return
            if not low <= number <= high:
                problems[name] = f"must be between {low} and {high}"
                return
            values[attr] = number

        def boolean(name: str, attr: str) -> None:
            raw = environ.get(name, "").strip().lower()
            if not raw:
                return
            if raw in {"1", "true", "yes", "on", "ja"}:
                values[attr] = True
            elif raw in {"0", "false", "no", "off", "nej"}:
                values[attr] = False
            else:
                problems[name] = f"not a boolean: {raw!r}"

        def listing(name: str, attr: str) -> None:
            raw = environ.get(name, "")
            items = tuple(item.strip().lower() for item in raw.split(",") if item.strip())
            if items:
                values[attr] = items

        text("MicrosoftAppId", "app_id")
        text("MicrosoftAppPassword", "app_password")
        text("MicrosoftAppType", "app_type")
        text("MicrosoftAppTenantId", "app_tenant_id")
        text("DATABASE_URL", "database_url")
        text("HOST", "host")
        integer("PORT", "port", 1, 65535)
        text("TIMEZONE", "timezone")
        listing("KOORDINATORER", "koordinatorer")
        listing("TILLADTE_TENANTS", "tilladte_tenants")
        text("KOMBIT_EMAIL", "kombit_email")
        text("SMTP_HOST", "smtp_host")
        integer("SMTP_PORT", "smtp_port", 1, 65535)
        text("SMTP_USER", "smtp_user")
        text("SMTP_PASSWORD", "smtp_password")
        boolean("SMTP_STARTTLS", "smtp_starttls")
        text("SMTP_FROM", "smtp_from")
        integer("SMTP_ATTEMPTS", "smtp_attempts", 1, 10)
        integer("SMTP_RETRY_SECONDS", "smtp_retry_seconds", 0, 300)
        text("PUBLIC_URL", "public_url")
        text("SIGNING_KEY", "signing_key")
        integer("DOWNLOAD_LINK_HOURS", "download_link_hours", 1, 24 * 30)
        integer("MAX_UPLOAD_BYTES", "max_upload_bytes", 1024, 100 * 1024 * 1024)
        integer("MAX_REQUEST_BYTES", "max_request_bytes", 1024, 10 * 1024 * 1024)
        boolean("REMINDERS_ENABLED", "reminders_enabled")
        integer("REMINDER_RISK_WORKING_DAYS", "reminder_risk_working_days", 0, 60)
        integer("REMINDER_INTERVAL_SECONDS", "reminder_interval_seconds", 1, 3600)
        integer("TENANT_REQUESTS_PER_SECOND", "tenant_requests_per_second", 1, 10_000)
        integer("DELIVERY_GIVE_UP_SECONDS", "delivery_give_up_seconds", 10, 7 * 24 * 3600)
        text("LOG_LEVEL", "log_level")
        text("TEAMS_APP_ID", "teams_app_id")
        text("APP_VERSION", "app_version")
        text("DEVELOPER_NAME", "developer_name")
        text("DEVELOPER_URL", "developer_url")
        text("PRIVACY_URL", "privacy_url")
        text("TERMS_URL", "terms_url")
        text("KITOS_URL", "kitos_url")
        text("KITOS_TOKEN", "kitos_token")

        app_type = str(values.get("app_type", defaults.app_type))
        if app_type.lower() not in {"multitenant", "singletenant", "userassignedmsi"}:
            problems["MicrosoftAppType"] = "must be MultiTenant, SingleTenant or UserAssignedMSI"
        needs_password = app_type.lower() != "userassignedmsi"
        if values.get("app_id") and needs_password and not values.get("app_password"):
            problems["MicrosoftAppPassword"] = "required when MicrosoftAppId is set"
        if app_type.lower() == "singletenant" and not values.get("app_tenant_id"):
            problems["MicrosoftAppTenantId"] = "required when MicrosoftAppType is SingleTenant"

        url = str(values.get("database_url", DEFAULT_DATABASE_URL))
        if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            problems["DATABASE_URL"] = (
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
            )

        if values.get("smtp_host") and not (
            values.get("smtp_from") or "@" in str(values.get("smtp_user", ""))
        ):
            # KOMBIT must see who the municipality's e-mail is from; servers refuse no sender.
            problems["SMTP_FROM"] = "required when SMTP_HOST is set (the sender's address)"

        try:
            ZoneInfo(str(values.get("timezone", defaults.timezone)))
        except (ZoneInfoNotFoundError, ValueError):
            problems["TIMEZONE"] = "unknown time zone"

        offsets_raw = environ.get("REMINDER_OFFSETS", "").strip()
        if offsets_raw:
            try:
                offsets = tuple(sorted({int(p) for p in offsets_raw.split(",")}, reverse=True))
            except ValueError:
                problems["REMINDER_OFFSETS"] = (
                    "comma-separated whole numbers of days, e.g. 14,7,3,1,0"
                )
            else:
                if any(o < 0 or o > 365 for o in offsets):
                    problems["REMINDER_OFFSETS"] = "days must be between 0 and 365"
                else:
                    values["reminder_offsets"] = offsets

        time_raw = environ.get("REMINDER_TIME", "").strip()
        if time_raw:
            try:
                values["reminder_time"] = time.fromisoformat(time_raw)
            except ValueError:
                problems["REMINDER_TIME"] = "a local time such as 09:00"

        signing_key = str(values.get("signing_key", ""))
        if signing_key and len(signing_key) < _SIGNING_KEY_MIN:
            # Anyone holding one download link can guess at a short key offline.
            problems["SIGNING_KEY"] = (
                f"at least {_SIGNING_KEY_MIN} characters; make one with "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        # Teams sends the tenant as a GUID; anything else (a domain, a name) would never match
        # and the bot would silently refuse its own municipality.
        tenants = cast("tuple[str, ...]", values.get("tilladte_tenants", ()))
        bad_tenants = [tenant for tenant in tenants if not GUID.match(tenant)]
        if bad_tenants:
            problems["TILLADTE_TENANTS"] = "tenant ids are GUIDs; not: " + ", ".join(bad_tenants)
        if not GUID.match(str(values.get("teams_app_id", DEFAULT_TEAMS_APP_ID))):
            problems["TEAMS_APP_ID"] = "must be a GUID such as " + DEFAULT_TEAMS_APP_ID
        if not _APP_VERSION.match(str(values.get("app_version", "0.0.0"))):
            problems["APP_VERSION"] = "MAJOR.MINOR.PATCH with whole numbers, e.g. 1.2.0"
        if len(str(values.get("developer_name", ""))) > _DEVELOPER_NAME_MAX:
            problems["DEVELOPER_NAME"] = f"at most {_DEVELOPER_NAME_MAX} characters (Teams limit)"
        for name, attr in (
            ("DEVELOPER_URL", "developer_url"),
            ("PRIVACY_URL", "privacy_url"),
            ("TERMS_URL", "terms_url"),
        ):
            if attr in values and not is_https_url(str(values[attr])):
                problems[name] = "must be an https:// address"

        kitos_url = str(values.get("kitos_url", ""))
        if kitos_url and not (is_https_url(kitos_url) or _is_loopback_url(kitos_url)):
            # The token is a bearer credential for the kommune's whole KITOS registration.
            problems["KITOS_URL"] = "must be an https:// address, e.g. https://kitos.dk"
        if bool(kitos_url) != bool(values.get("kitos_token")):
            missing = "KITOS_TOKEN" if kitos_url else "KITOS_URL"
            problems[missing] = "KITOS_URL and KITOS_TOKEN are set together or not at all"

        limits_raw = environ.get("CONVERSATION_SEND_LIMITS", "").strip()
        if limits_raw:
            limits = _parse_windows(limits_raw)
            if limits is None:
                problems["CONVERSATION_SEND_LIMITS"] = (
                    "comma-separated messages/seconds windows, e.g. 7/1,8/2,60/30,1800/3600"
                )
            else:
                values["conversation_send_limits"] = limits

        if problems:
            raise SettingsError(problems)
        return cls(**values)  # type: ignore[arg-type]


def is_https_url(url: str) -> bool:
    """Tell whether url is an absolute https address with a host, as Teams requires."""
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname)


def _is_loopback_url(url: str) -> bool:
    """A plain-http address on this machine: a local KITOS stand-in, never a real one."""
    parts = urlsplit(url)
    return parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost", "::1"}


def _parse_windows(raw: str) -> tuple[tuple[int, float], ...] | None:
    """Read "7/1,8/2" as ((7, 1.0), (8, 2.0)); None when any part is not count/seconds."""
    windows: list[tuple[int, float]] = []
    for part in raw.split(","):
        count, slash, seconds = part.strip().partition("/")
        try:
            window = (int(count), float(seconds))
        except ValueError:
            return None
        if not slash or window[0] < 1 or window[1] <= 0:
            return None
        windows.append(window)
    return tuple(sorted(windows, key=lambda w: w[1]))
