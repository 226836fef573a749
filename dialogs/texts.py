"""Every Danish string a user sees. No other module under bot/ or dialogs/ holds Danish text.

Fixed texts are UPPER_CASE constants; texts with values are small keyword-only functions
that also do all number and date formatting.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from storage.domain.delivery import FailureReason
from storage.domain.model import Anvendelse

ANVENDELSE_LABELS: dict[Anvendelse, str] = {
    Anvendelse.ANVENDER: "Anvender",
    Anvendelse.ANVENDER_IKKE: "Anvender ikke",
    Anvendelse.SEKUNDAER: "Sekundær anvendelse",
}


def anvendelse_label(anvendelse: Anvendelse | None) -> str:
    """The KOMBIT spelling of an answer, or a dash when there is none yet."""
    return ANVENDELSE_LABELS[anvendelse] if anvendelse else "–"


# --- Velkomst, hjælp og fejl ---

BOT_NAME = "Kortlægningsbot"

WELCOME = (
    "Hej! Jeg er **Kortlægningsbot**. Jeg hjælper kommunen med KOMBITs opgave "
    "*Kortlæg hvilke it-systemer kommunen anvender/ikke anvender* (Bilag 1).\n\n"
    "Som **systemejer** går du sammen med mig systemerne i dit fagområde igennem, ét ad "
    "gangen, og svarer for hvert system:\n"
    "- **Anvender** – kommunen bruger systemet\n"
    "- **Anvender ikke** – kommunen bruger det ikke\n"
    "- **Sekundær anvendelse** – kommunen har systemet, men bruger det kun i begrænset "
    "omfang\n\n"
    "Dine svar gemmes med det samme, så du kan holde pause og fortsætte senere. "
    "Skriv **hjælp** for at se, hvad jeg kan."
)

HELP = (
    "**Sådan svarer du**\n\n"
    "For hvert it-system i dit fagområde vælger du ét af tre svar:\n"
    "- **Anvender** (eller *ja*, *1*) – kommunen bruger systemet.\n"
    "- **Anvender ikke** (eller *nej*, *2*) – kommunen bruger ikke systemet.\n"
    "- **Sekundær anvendelse** (eller *sekundær*, *delvis*, *3*) – kommunen har systemet, "
    "men bruger det kun i begrænset omfang. Eksempel: et ESDH-system, som kun bruges til at "
    "slå op i gamle sager.\n\n"
    "Bruger I et system, der svarer til et på listen, men som ikke står der, kan du tilføje "
    "det til sidst.\n\n"
    "**Kommandoer**\n"
    "- **fortsæt** – fortsæt, hvor du slap\n"
    "- **mine** – se dine fagområder og hvor langt du er\n"
    "- **hjælp** – vis denne hjælp\n\n"
    "Er du infrastrukturansvarlig, kan du også bruge **opsæt**, **tildel**, **start**, "
    "**status**, **påmind**, **udkast**, **send**, **historik** og **ændringer**."
)

NOT_UNDERSTOOD = "Det forstod jeg desværre ikke. Skriv **hjælp** for at se, hvad jeg kan."

UNEXPECTED_ERROR = (
    "Beklager, der skete en fejl hos mig. Dine gemte svar er ikke gået tabt. "
    "Prøv igen om lidt, eller skriv **fortsæt** for at fortsætte, hvor du slap."
)


# --- Påmindelser og levering ---

_MAANEDER = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)

FORTSAET = "Fortsæt"


def dato(d: date) -> str:
    """A date the Danish way: 31. august 2027."""
    return f"{d.day}. {_MAANEDER[d.month - 1]} {d.year}"


def naar(*, dage: int) -> str:
    """How far away slutdato is, in calendar days: i dag, i morgen, om 3 dage."""
    if dage == 0:
        return "i dag"
    if dage == 1:
        return "i morgen"
    if dage > 1:
        return f"om {dage} dage"
    return "overskredet"


def reminder_title(*, fagomraade: str) -> str:
    return f"Påmindelse: {fagomraade}"


def reminder_systemejer(
    *, fagomraade: str, unanswered: int, total: int, slutdato: date, dage: int
) -> str:
    """The body of a systemejer's reminder card for one unfinished fagområde."""
    frist = f"Slutdatoen er **{dato(slutdato)}** ({naar(dage=dage)})."
    if unanswered == 0:
        return (
            f"Alle {total} it-systemer i **{fagomraade}** er besvaret, men fagområdet er ikke "
            f"indsendt endnu. {frist} Tryk **{FORTSAET}** for at se svarene og indsende."
        )
    systemer = "it-system" if total == 1 else "it-systemer"
    return (
        f"Der mangler stadig svar på **{unanswered} af {total}** {systemer} i fagområdet "
        f"**{fagomraade}**. {frist} For hvert system svarer du *Anvender*, *Anvender ikke* "
        f"eller *Sekundær anvendelse*. Tryk **{FORTSAET}** for at fortsætte, hvor du slap."
    )


def reminder_area_line(
    *, fagomraade: str, answered: int, total: int, systemejere: Sequence[str]
) -> str:
    """One unfinished fagområde in the coordinator's summary."""
    hvem = ", ".join(systemejere) if systemejere else "ingen systemejer tildelt"
    return f"- **{fagomraade}**: {answered} af {total} besvaret – {hvem}"


_HVORFOR_IKKE_NAAET: dict[FailureReason, str] = {
    FailureReason.BLOCKED: "har blokeret botten",
    FailureReason.NOT_FOUND: "findes ikke længere",
    FailureReason.NO_CONVERSATION: "har ikke en chat med botten endnu",
    FailureReason.GAVE_UP: "Teams svarede ikke i tide",
    FailureReason.REJECTED: "Teams afviste beskeden",
}


def unreachable_line(*, navn: str, reason: FailureReason) -> str:
    """A person a proactive message could not reach, and why, for the coordinator."""
    return f"{navn} kunne ikke nås ({_HVORFOR_IKKE_NAAET[reason]})"


def unreachable_summary(*, lines: Sequence[str]) -> str:
    """The coordinator's list of people the bot could not reach."""
    punkter = "\n".join(f"- {line}" for line in lines)
    return f"**Nogle beskeder kom ikke frem:**\n{punkter}"


def reminder_koordinator(
    *,
    slutdato: date,
    dage: int,
    indsendt: int,
    fagomraader: int,
    procent: int,
    area_lines: Sequence[str],
    at_risk: bool,
    arbejdsdage: int,
    kombit_email: str,
    unreachable: Sequence[str] = (),
) -> str:
    """The coordinator's summary on a reminder date: what is missing and who is late."""
    parts = [
        f"**Status på kortlægningen** – slutdatoen er {dato(slutdato)} ({naar(dage=dage)}).",
        f"{indsendt} af {fagomraader} fagområder er indsendt, og {procent} % af "
        "it-systemerne er besvaret. Disse fagområder mangler, og deres systemejere har fået "
        "en påmindelse:\n" + "\n".join(area_lines),
    ]
    if at_risk:
        parts.append(
            f"**Slutdatoen er i fare:** der er {arbejdsdage} arbejdsdage tilbage. Når I ikke "
            "at blive færdige, skal KOMBIT have besked om, hvornår I forventer at være "
            f"færdige – skriv til {kombit_email}, som opgaven i KLIK beder om."
        )
    if unreachable:
        parts.append(unreachable_summary(lines=unreachable))
    return "\n\n".join(parts)


def reminder_forsinket(
    *,
    slutdato: date,
    indsendt: int,
    fagomraader: int,
    area_lines: Sequence[str],
    kombit_email: str,
    unreachable: Sequence[str] = (),
) -> str:
    """The coordinator's working-day reminder after slutdato, until all is submitted."""
    parts = [
        f"**Slutdatoen {dato(slutdato)} er overskredet.** {indsendt} af {fagomraader} "
        "fagområder er indsendt. Disse mangler stadig:\n" + "\n".join(area_lines),
        "KOMBIT skal have besked om, hvornår I forventer at være færdige. Har I ikke "
        f"allerede skrevet det, så send en mail til {kombit_email}. Jeg minder dig om det "
        "hver arbejdsdag, indtil alle fagområder er indsendt.",
    ]
    if unreachable:
        parts.append(unreachable_summary(lines=unreachable))
    return "\n\n".join(parts)
