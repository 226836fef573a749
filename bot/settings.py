"""One frozen Settings object, built once from the environment. No other module reads os.environ."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/kortlaegning.db"
DEFAULT_TIMEZONE = "Europe/Copenhagen"


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
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


@dataclass(frozen=True, slots=True)
class Settings:
    app_id: str = ""
    app_password: str = field(default="", repr=False)
    app_type: str = "MultiTenant"
    app_tenant_id: str = ""
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 3978
    timezone: str = DEFAULT_TIMEZONE
    koordinatorer: tuple[str, ...] = ()
    tilladte_tenants: tuple[str, ...] = ()
    kombit_email: str = "infrastruktur@kombit.dk"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = True
    smtp_from: str = ""
    public_url: str = ""
    signing_key: str = field(default="", repr=False)
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

    @property
    def auth_enabled(self) -> bool:
        """No app id means a local trial: botbuilder then skips JWT validation."""
        return bool(self.app_id)

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
        text("PUBLIC_URL", "public_url")
        text("SIGNING_KEY", "signing_key")
        integer("MAX_UPLOAD_BYTES", "max_upload_bytes", 1024, 100 * 1024 * 1024)
        integer("MAX_REQUEST_BYTES", "max_request_bytes", 1024, 10 * 1024 * 1024)
        boolean("REMINDERS_ENABLED", "reminders_enabled")
        integer("REMINDER_RISK_WORKING_DAYS", "reminder_risk_working_days", 0, 60)
        integer("REMINDER_INTERVAL_SECONDS", "reminder_interval_seconds", 1, 3600)
        integer("TENANT_REQUESTS_PER_SECOND", "tenant_requests_per_second", 1, 10_000)
        integer("DELIVERY_GIVE_UP_SECONDS", "delivery_give_up_seconds", 10, 7 * 24 * 3600)
        text("LOG_LEVEL", "log_level")

        app_type = str(values.get("app_type", "MultiTenant"))
        if app_type.lower() not in {"multitenant", "singletenant", "userassignedmsi"}:
            problems["MicrosoftAppType"] = "must be MultiTenant, SingleTenant or UserAssignedMSI"
        needs_password = values.get("app_id") and app_type.lower() != "userassignedmsi"
        if needs_password and not values.get("app_password"):
            problems["MicrosoftAppPassword"] = "required when MicrosoftAppId is set"
        if app_type.lower() == "singletenant" and not values.get("app_tenant_id"):
            problems["MicrosoftAppTenantId"] = "required when MicrosoftAppType is SingleTenant"

        url = str(values.get("database_url", DEFAULT_DATABASE_URL))
        if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            problems["DATABASE_URL"] = (
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
            )

        try:
            ZoneInfo(str(values.get("timezone", DEFAULT_TIMEZONE)))
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
