"""Names of the Action.Submit actions on our cards: the builder and the handler share them."""

from __future__ import annotations

from enum import StrEnum

ACTION_KEY = "action"
CARD_TOKEN_KEY = "kort"
"""Which live survey card a button sits on (dialogs/survey.py): a press from an older one
carries another token."""

_MAX_ID = 2**31 - 1
"""Ids are 32-bit integers in the database; a card claiming a larger one is not ours."""


class Action(StrEnum):
    START = "start"
    FORM = "form"
    HANDOVER = "handover"
    ANSWER = "answer"
    SKIP = "skip"
    BACK = "back"
    PAUSE = "pause"
    TILFOEJ = "tilfoej"
    TILFOEJ_VIS = "tilfoej_vis"
    VIDERE = "videre"
    FJERN = "fjern"
    OVERSIGT = "oversigt"
    RET = "ret"
    INDSEND = "indsend"
    FORM_GEM = "form_gem"
    FORTSAET = "fortsaet"
    UAENDRET = "uaendret"
    """Confirm the suggestion the system card shows (read again from storage, never from
    the card's data)."""
    BEKRAEFT_ALLE = "bekraeft_alle"
    """Confirm every shown suggestion of the area's unanswered systems."""


SURVEY_ACTIONS = frozenset(Action)


class KoordinatorAction(StrEnum):
    """Actions on the coordinator's cards."""

    OPSAET = "opsaet"
    TILDEL = "tildel"
    STATUS_FAGOMRAADE = "status_fagomraade"
    START_NU = "start_nu"
    START_TILDEL_FOERST = "start_tildel_foerst"
    # Where suggestions come from (the source card): kilde=ForslagKilde.
    FORSLAG_KILDE = "forslag_kilde"
    # An uncertain match accepted or rejected: forslag_id, accept.
    FORSLAG_AFGOER = "forslag_afgoer"
    # A suggested addition offered or rejected: tilfoejelse_id, accept (and an area).
    TILFOEJELSE_AFGOER = "tilfoejelse_afgoer"
    # Accept every suggested systemejer of the areas nobody has yet.
    TILDEL_FORSLAG = "tildel_forslag"


KOORDINATOR_ACTIONS = frozenset(KoordinatorAction)


class ForslagKilde(StrEnum):
    """The choices on the source card."""

    SIDSTE_RUNDE = "sidste_runde"
    UPLOAD_BILAG1 = "upload_bilag1"
    UPLOAD_KITOS = "upload_kitos"
    HENT_KITOS = "hent_kitos"
    INGEN = "ingen"


class DeliveryAction(StrEnum):
    """Actions on the cards that deliver Bilag 1; they carry a version id, never a file."""

    HENT = "bilag1_hent"
    SEND = "bilag1_send"
    SEND_NU = "bilag1_send_nu"
    EML = "bilag1_eml"


DELIVERY_ACTIONS = frozenset(DeliveryAction)


def card_number(raw: object) -> int | None:
    """An id or page number carried in a card's data, or None when it is not one of ours."""
    try:
        number = int(str(raw))
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= _MAX_ID else None
