"""Loose understanding of an Anvendelse, as typed in chat or spelled in a filled workbook.

Pure and stdlib only: the dialogs and the Bilag 1 reader share it, so they agree on what
an answer is.
"""

from __future__ import annotations

import re
import unicodedata

from storage.domain.model import Anvendelse

_FOLDS = (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("ä", "ae"), ("ö", "oe"), ("é", "e"))


def normalise(text: str) -> str:
    """Fold case, æ/ø/å to ae/oe/aa, punctuation and runs of spaces, so spellings compare equal."""
    folded = unicodedata.normalize("NFC", text).casefold()
    for letter, ascii_form in _FOLDS:
        folded = folded.replace(letter, ascii_form)
    folded = re.sub(r"[^a-z0-9]+", " ", folded)
    return folded.strip()


# Every spelling is stored normalised; KOMBIT's own three spellings are among them.
_SPELLINGS: dict[str, Anvendelse] = {
    **dict.fromkeys(
        ["anvender", "ja", "j", "1", "yes", "y", "bruger", "anvendes", "ja anvender", "i brug"],
        Anvendelse.ANVENDER,
    ),
    **dict.fromkeys(
        [
            "anvender ikke",
            "nej",
            "n",
            "2",
            "no",
            "bruger ikke",
            "anvendes ikke",
            "nej anvender ikke",
            "ikke i brug",
            "ikke",
        ],
        Anvendelse.ANVENDER_IKKE,
    ),
    **dict.fromkeys(
        [
            "sekundaer",
            "sekundaer anvendelse",
            "sekundaert",
            "delvis",
            "delvist",
            "delvis anvendelse",
            "3",
            "begraenset",
            "begraenset anvendelse",
            "sekundaer brug",
        ],
        Anvendelse.SEKUNDAER,
    ),
}


def parse_anvendelse(text: str | None) -> Anvendelse | None:
    """Return the Anvendelse a person meant, or None when the text is none of the three."""
    if text is None:
        return None
    return _SPELLINGS.get(normalise(str(text)))
