"""Every Danish string a user sees. No other module under bot/ or dialogs/ holds Danish text.

Fixed texts are UPPER_CASE constants; texts with values are small keyword-only functions
that also do all number and date formatting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dialogs.commands import Command
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
# --- Kommandoer ---
# The word a user types (and Teams' command menu inserts) and its line in the menu.

COMMAND_WORDS: dict[Command, str] = {
    Command.HJAELP: "hjælp",
    Command.FORTSAET: "fortsæt",
    Command.MINE: "mine",
    Command.STATUS: "status",
    Command.OPSAET: "opsæt",
    Command.TILDEL: "tildel",
    Command.START: "start",
    Command.PAAMIND: "påmind",
    Command.UDKAST: "udkast",
    Command.SEND: "send",
    Command.MODTAGET: "modtaget",
    Command.HISTORIK: "historik",
    Command.AENDRINGER: "ændringer",
}

COMMAND_DESCRIPTIONS: dict[Command, str] = {
    Command.HJAELP: "Forklarer de tre svar og hvad botten kan",
    Command.FORTSAET: "Fortsæt besvarelsen, hvor du slap",
    Command.MINE: "Se dine fagområder og hvor langt du er",
    Command.STATUS: "Se fremdriften pr. fagområde og hvem der mangler",
    Command.OPSAET: "Opsæt kortlægningen: kommune, slutdato og Bilag 1",
    Command.TILDEL: "Tildel et fagområde til en systemejer",
    Command.START: "Send invitationerne til systemejerne",
    Command.PAAMIND: "Påmind dem, der mangler at svare, nu",
    Command.UDKAST: "Hent et udkast af Bilag 1 med svarene indtil nu",
    Command.SEND: "Send det færdige Bilag 1 til KOMBIT",
    Command.MODTAGET: "Registrér at KOMBIT har bekræftet modtagelsen",
    Command.HISTORIK: "Se de versioner af Bilag 1, der er sendt",
    Command.AENDRINGER: "Se ændringer siden Bilag 1 sidst blev sendt",
}


# --- Pakning af Teams-appen ---
# Printed by `kortlaegning package` to the IT staff who build and upload the app.

PACKAGE_APP_ID_MISSING = (
    "MicrosoftAppId mangler. Appen kan ikke pakkes uden bottens app-id "
    "(Application (client) ID) fra Azure Bot-registreringen."
)
PACKAGE_PUBLIC_URL_NOT_HTTPS = (
    "PUBLIC_URL skal være bottens offentlige https-adresse, fx https://kortlaegning.kommune.dk. "
    "Teams taler kun med en bot over https."
)
PACKAGE_REFUSED = "Teams-appen blev ikke pakket."


def package_app_id_not_guid(*, value: str) -> str:
    """MicrosoftAppId is set but is not the GUID Azure shows as the client id."""
    return (
        f"MicrosoftAppId skal være et GUID som 00000000-0000-0000-0000-000000000000, "
        f"men er »{value}«."
    )


def package_settings_invalid(*, problems: Mapping[str, str]) -> str:
    """The settings could not be read at all; name every bad variable (reasons are English)."""
    lines = "\n".join(f"  {name}: {why}" for name, why in problems.items())
    return f"Indstillingerne kan ikke læses:\n{lines}"


def package_urls_defaulted(*, variables: Sequence[str]) -> str:
    """Developer URLs that were not set, so the app's details point at the bot's own address."""
    *rest, last = variables
    names = f"{', '.join(rest)} og {last}" if rest else last
    them = "dem" if rest else "den"
    return (
        f"Bemærk: {names} er ikke sat, så appens oplysninger henviser til PUBLIC_URL. "
        f"Sæt {them} til kommunens egne sider, før appen udgives."
    )


def package_written(*, path: str, version: str, teams_app_id: str) -> str:
    """Where the zip is and what to do with it next."""
    return (
        f"Teams-appen er pakket i {path} (version {version}, app-id {teams_app_id}).\n"
        f"Upload den i Teams Administration under Teams-apps › Administrer apps › Upload ny app."
    )
