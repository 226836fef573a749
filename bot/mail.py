"""E-mail to KOMBIT: build the message, send it through SMTP with bounded retries and backoff,
or write it as an unsent .eml file that Outlook opens ready to send.

Implements dialogs.ports.Mailer. The wording (subject, body) arrives in the Mail; this module
only knows MIME and SMTP. smtplib runs in a thread, so the event loop keeps serving Teams.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from bot.settings import Settings
from dialogs.ports import Mail, MailNotSent

logger = logging.getLogger(__name__)

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
# Per SMTP conversation; the whole send is bounded by attempts × this plus the backoff.
_TIMEOUT_SECONDS = 20
_IMPLICIT_TLS_PORT = 465
# make_msgid() asks the resolver for this host's FQDN without a domain, which can hang.
_FALLBACK_DOMAIN = "kortlaegningsbot.invalid"


def build_message(
    mail: Mail, *, sender: str | None, unsent: bool = False, now: datetime | None = None
) -> EmailMessage:
    """The MIME message: text body in UTF-8 and the workbook attached under its file name.

    An unsent message (.eml) carries X-Unsent: 1, which makes Outlook open it as a draft with
    a Send button; it has no sender, as the coordinator sends it from their own mailbox.
    """
    message = EmailMessage(policy=policy.SMTP)
    if sender:
        message["From"] = sender
    message["To"] = mail.to
    if mail.reply_to and not unsent:
        message["Reply-To"] = mail.reply_to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(now or datetime.now(UTC))
    domain = sender.rpartition("@")[2] if sender and "@" in sender else _FALLBACK_DOMAIN
    message["Message-ID"] = make_msgid(domain=domain)
    if unsent:
        message["X-Unsent"] = "1"
    message.set_content(mail.body)
    maintype, subtype = XLSX_TYPE
    message.add_attachment(
        mail.attachment, maintype=maintype, subtype=subtype, filename=mail.attachment_name
    )
    return message


def classify(error: Exception) -> tuple[str, bool]:
    """A short English reason for logs and the archive, and whether retrying is pointless.

    4xx replies are the server's "try again later"; 5xx replies, refused credentials and a
    missing STARTTLS will answer the same next time. Lost or refused connections and
    timeouts may pass.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return f"smtp {codes[0] if codes else '?'} recipient refused", not all(
            400 <= code < 500 for code in codes
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return f"smtp {error.smtp_code}", not 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return "smtp extension not supported", True
    if isinstance(error, ssl.SSLCertVerificationError):
        return "tls certificate not trusted", True
    return type(error).__name__, False


class SmtpMailer:
    def __init__(
        self,
        settings: Settings,
        *,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._settings = settings
        self._sleep = sleep

    @property
    def configured(self) -> bool:
        return bool(self._settings.smtp_host)

    @property
    def sender(self) -> str:
        return self._settings.smtp_from or self._settings.smtp_user

    async def send(self, mail: Mail) -> tuple[bytes, int]:
        """Send, trying up to SMTP_ATTEMPTS times with doubling waits; MailNotSent if not."""
        message = build_message(mail, sender=self.sender)
        attempts = self._settings.smtp_attempts
        for attempt in range(1, attempts + 1):
            try:
                await asyncio.to_thread(self._deliver, message)
            except (smtplib.SMTPException, OSError) as exc:
                reason, permanent = classify(exc)
                if permanent or attempt == attempts:
                    logger.error("mail to KOMBIT not sent after %d attempt(s): %s", attempt, reason)
                    raise MailNotSent(attempts=attempt, reason=reason, permanent=permanent) from exc
                delay = self._settings.smtp_retry_seconds * 2 ** (attempt - 1)
                logger.warning(
                    "mail attempt %d of %d failed (%s); next in %d s",
                    attempt,
                    attempts,
                    reason,
                    delay,
                )
                await self._sleep(delay)
            else:
                logger.info("mail to KOMBIT accepted by the SMTP server at attempt %d", attempt)
                return message.as_bytes(), attempt
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def eml(self, mail: Mail) -> bytes:
        return build_message(mail, sender=None, unsent=True).as_bytes()

    def _deliver(self, message: EmailMessage) -> None:
        settings = self._settings
        tls = ssl.create_default_context()
        if settings.smtp_port == _IMPLICIT_TLS_PORT:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=_TIMEOUT_SECONDS, context=tls
            )
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=_TIMEOUT_SECONDS)
        with smtp:
            if settings.smtp_starttls and settings.smtp_port != _IMPLICIT_TLS_PORT:
                smtp.starttls(context=tls)
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
