"""The rules of answering: who may answer, what may change after submission, and when a
change after delivery is announced. Pure functions; storage/survey.py applies them.
"""

from __future__ import annotations

from datetime import datetime

from storage.domain.model import AlreadySubmitted, Answer, Anvendelse, Kilde, NotAssigned


def check_may_answer(
    *,
    fagomraade_id: int,
    person_id: int,
    assigned: bool,
    submitted: bool,
    correcting: bool,
) -> None:
    """Raise unless this person may answer in this fagområde now.

    Only a person the area is assigned to answers it. Once submitted, the survey flow's
    cards are closed (a card pressed late must not change a submitted area), but a
    deliberate correction from the summary is allowed: the coordinator may not have sent
    the workbook yet, and if they have, the change is announced (see change_is_announced).
    """
    if not assigned:
        raise NotAssigned(fagomraade_id, person_id)
    if submitted and not correcting:
        raise AlreadySubmitted(fagomraade_id)


def decide_answer(
    previous: Answer | None,
    *,
    system_id: int,
    anvendelse: Anvendelse,
    bemaerkning: str | None,
    keep_bemaerkning: bool,
    person_id: int,
    at: datetime,
    kilde: Kilde = Kilde.SVAR,
) -> Answer | None:
    """The answer to store, or None when it would change nothing (a double press).

    The last answer wins. A blank remark is no remark; an input without a remark field
    (keep_bemaerkning, the form) keeps the remark given elsewhere. Confirming a suggestion
    (kilde) that says what is already answered changes nothing either: the answer keeps the
    source it was first given from.
    """
    remark = (bemaerkning or "").strip() or None
    if keep_bemaerkning and previous is not None:
        remark = previous.bemaerkning
    if previous is not None and (previous.anvendelse, previous.bemaerkning) == (
        anvendelse,
        remark,
    ):
        return None
    return Answer(system_id, anvendelse, remark, person_id, at, kilde)


def describe(answer: Answer | None) -> str | None:
    """An answer as the audit trail records it (old → new)."""
    if answer is None:
        return None
    return f"{answer.anvendelse.value}|{answer.bemaerkning or ''}"


def change_is_announced(*, delivered: bool, already_announced: bool) -> bool:
    """Whether a change tells the coordinators that the delivered workbook is out of date.

    Only the first change after a delivery is announced; the rest wait in `ændringer`, so a
    systemejer correcting ten answers sends the coordinator one message, not ten.
    """
    return delivered and not already_announced
