"""Words that steer the survey when typed (spring over, tilbage, pause, indsend …).

Pure: normalised matching, so "Spring over", "spring-over" and "SPRING OVER" are one word.
"""

from __future__ import annotations

import re
from enum import StrEnum

from storage.domain.answers import normalise, parse_anvendelse
from storage.domain.model import Anvendelse


class SurveyWord(StrEnum):
    SPRING_OVER = "spring_over"
    TILBAGE = "tilbage"
    PAUSE = "pause"
    INDSEND = "indsend"
    VIDERE = "videre"
    NEJ = "nej"
    ANNULLER = "annuller"


_SPELLINGS: dict[str, SurveyWord] = {
    "spring over": SurveyWord.SPRING_OVER,
    "spring": SurveyWord.SPRING_OVER,
    "skip": SurveyWord.SPRING_OVER,
    "naeste": SurveyWord.SPRING_OVER,
    "tilbage": SurveyWord.TILBAGE,
    "forrige": SurveyWord.TILBAGE,
    "pause": SurveyWord.PAUSE,
    "stop": SurveyWord.PAUSE,
    "indsend": SurveyWord.INDSEND,
    "send ind": SurveyWord.INDSEND,
    "videre": SurveyWord.VIDERE,
    "faerdig": SurveyWord.VIDERE,
    "nej": SurveyWord.NEJ,
    "nej tak": SurveyWord.NEJ,
    "annuller": SurveyWord.ANNULLER,
    "fortryd": SurveyWord.ANNULLER,
}


def recognise_survey_word(text: str | None) -> SurveyWord | None:
    return _SPELLINGS.get(normalise(text or ""))


_REMARK_SEPARATOR = re.compile(r"\s*[:;,–-]\s+|\s*[:;]\s*")


def split_answer(text: str) -> tuple[Anvendelse | None, str | None]:
    """Read "nej" or "nej: udfases i 2026" as an answer with an optional remark."""
    whole = parse_anvendelse(text)
    if whole is not None:
        return whole, None
    parts = _REMARK_SEPARATOR.split(text.strip(), maxsplit=1)
    if len(parts) == 2:
        anvendelse = parse_anvendelse(parts[0])
        if anvendelse is not None and parts[1].strip():
            return anvendelse, parts[1].strip()
    return None, None
