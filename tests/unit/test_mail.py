"""The e-mail to KOMBIT without a server: MIME shape, which failures are retried, backoff."""

from __future__ import annotations

import smtplib
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from bot.mail import SmtpMailer, build_message, classify
from bot.settings import Settings
from dialogs.ports import Mail, MailNotSent

MAIL = Mail(
    to="infrastruktur@kombit.dk",
    subject="[Ærø Kommune/kortlægning af it-systemer]",
    body="Kære KOMBIT\n\nHermed Ærø Kommunes Bilag 1.\n",
    attachment_name="Bilag1-Aeroe-Kommune-2027-08-31.xlsx",
    attachment=b"PK\x03\x04 workbook",
    reply_to="kim@aeroe.dk",
)


def reparsed(message: EmailMessage) -> EmailMessage:
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_the_message_keeps_danish_subject_body_and_the_attachment_exactly() -> None:
    message = reparsed(build_message(MAIL, sender="kortlaegning@aeroe.dk"))

    assert message["Subject"] == MAIL.subject
    assert (message["From"], message["To"], message["Reply-To"]) == (
        "kortlaegning@aeroe.dk",
        "infrastruktur@kombit.dk",
        "kim@aeroe.dk",
    )
    assert message["Message-ID"].endswith("@aeroe.dk>")
    body = message.get_body(("plain",))
    # policy.SMTP puts CRLF line ends on the wire, as RFC 5322 wants.
    assert body is not None and body.get_content().replace("\r\n", "\n") == MAIL.body
    [part] = list(message.iter_attachments())
    assert part.get_filename() == MAIL.attachment_name
    assert part.get_content_type() == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert part.get_payload(decode=True) == MAIL.attachment


def test_an_eml_opens_in_outlook_as_an_unsent_draft_without_a_sender() -> None:
    message = reparsed(build_message(MAIL, sender=None, unsent=True))

    assert message["X-Unsent"] == "1"
    assert message["From"] is None and message["Reply-To"] is None


@pytest.mark.parametrize(
    ("error", "reason", "permanent"),
    [
        (
            smtplib.SMTPRecipientsRefused({"x": (451, b"later")}),
            "smtp 451 recipient refused",
            False,
        ),
        (smtplib.SMTPRecipientsRefused({"x": (550, b"no")}), "smtp 550 recipient refused", True),
        (smtplib.SMTPDataError(452, b"full"), "smtp 452", False),
        (smtplib.SMTPAuthenticationError(535, b"bad"), "smtp 535", True),
        (smtplib.SMTPNotSupportedError("STARTTLS"), "smtp extension not supported", True),
        (smtplib.SMTPServerDisconnected("gone"), "SMTPServerDisconnected", False),
        (ConnectionRefusedError(), "ConnectionRefusedError", False),
        (TimeoutError(), "TimeoutError", False),
    ],
)
def test_only_failures_that_may_pass_are_retried(
    error: Exception, reason: str, permanent: bool
) -> None:
    assert classify(error) == (reason, permanent)


async def test_retries_wait_longer_each_time_and_stop_at_the_bound() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    mailer = SmtpMailer(
        Settings(
            smtp_host="smtp.invalid", smtp_from="a@b.dk", smtp_attempts=4, smtp_retry_seconds=2
        ),
        sleep=sleep,
    )
    calls: list[EmailMessage] = []

    def refuse(message: EmailMessage) -> None:
        calls.append(message)
        raise smtplib.SMTPServerDisconnected("gone")

    mailer._deliver = refuse  # type: ignore[method-assign]

    with pytest.raises(MailNotSent) as raised:
        await mailer.send(MAIL)

    assert (raised.value.attempts, raised.value.permanent) == (4, False)
    assert len(calls) == 4 and waits == [2, 4, 8]


async def test_a_permanent_refusal_is_not_retried() -> None:
    mailer = SmtpMailer(Settings(smtp_host="smtp.invalid", smtp_from="a@b.dk"))

    def refuse(message: EmailMessage) -> None:
        raise smtplib.SMTPRecipientsRefused({"infrastruktur@kombit.dk": (550, b"unknown")})

    mailer._deliver = refuse  # type: ignore[method-assign]

    with pytest.raises(MailNotSent) as raised:
        await mailer.send(MAIL)

    assert (raised.value.attempts, raised.value.permanent) == (1, True)
