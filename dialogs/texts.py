"""Every Danish string a user sees. No other module under bot/ or dialogs/ holds Danish text.

Fixed texts are UPPER_CASE constants; texts with values are small keyword-only functions
that also do all number and date formatting.
"""

from __future__ import annotations

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
