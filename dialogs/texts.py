"""Every Danish string a user sees. No other module under bot/ or dialogs/ holds Danish text.

Fixed texts are UPPER_CASE constants; texts with values are small keyword-only functions
that also do all number and date formatting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import assert_never

from dialogs.commands import Command
from dialogs.ports import Reachability, ReachStatus, UnreachableReason
from storage.bilag1.columns import Doubt, Evidence, Reason, Role
from storage.bilag1.errors import Bilag1Error, Bilag1ErrorKind, MissingAnswers
from storage.bilag1.layout import BlockSource
from storage.domain.answers import normalise
from storage.domain.archive import Bilag1Version, Change, ChangeKind, SendStatus, VersionReason
from storage.domain.dates import MAANEDER
from storage.domain.delivery import FailureReason
from storage.domain.kitos import KitosError, KitosErrorKind
from storage.domain.model import Anvendelse, Kilde
from storage.suggestions.kitos_layout import KitosExportError, KitosExportErrorKind

ANVENDELSE_LABELS: dict[Anvendelse, str] = {
    Anvendelse.ANVENDER: "Anvender",
    Anvendelse.ANVENDER_IKKE: "Anvender ikke",
    Anvendelse.SEKUNDAER: "Sekundær anvendelse",
}


def anvendelse_label(anvendelse: Anvendelse | None) -> str:
    """The KOMBIT spelling of an answer, or a dash when there is none yet."""
    return ANVENDELSE_LABELS[anvendelse] if anvendelse else "–"


# --- Velkomst, hjælp og fejl ---

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
    "det på oversigten til sidst.\n\n"
    "Står der et forslag på kortet (sidste rundes svar eller KITOS'), bekræfter **Uændret** "
    "det; er intet ændret i fagområdet, bekræfter **Bekræft alle som sidste runde** alle "
    "forslagene med ét tryk. Et forslag er aldrig et svar, før du har trykket.\n\n"
    "**Kommandoer**\n"
    "- **fortsæt** – fortsæt, hvor du slap\n"
    "- **mine** – se dine fagområder og hvor langt du er\n"
    "- **pause** – hold pause midt i et fagområde; dine svar er gemt\n"
    "- **spring over**, **tilbage** – gå til næste eller forrige system\n"
    "- **hjælp** – vis denne hjælp\n\n"
    "Skal du sætte kortlægningen op som infrastrukturansvarlig, så skriv **opsæt**."
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
    Command.FORSLAG: "forslag",
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
    Command.FORSLAG: "Forslag til svar fra sidste runde eller KITOS: se og godkend dem",
}


# --- Velkomst og hjælp for den infrastrukturansvarlige ---

FEM_TRIN = (
    "**Sådan gennemfører du kortlægningen – fem trin:**\n"
    "1. **opsæt** – vælg kommune, slutdato og Bilag 1\n"
    "2. **tildel** – giv hvert fagområde en systemejer\n"
    "3. **start** – send systemejerne deres invitation\n"
    "4. **status** – følg med i, hvem der mangler; jeg påminder dem selv før slutdatoen\n"
    "5. **send** – send det færdige Bilag 1 til KOMBIT"
)

KOORDINATOR_WELCOME = (
    "Hej! Jeg er **Kortlægningsbot**. Jeg hjælper kommunen med KOMBITs opgave "
    "*Kortlæg hvilke it-systemer kommunen anvender/ikke anvender* (Bilag 1).\n\n"
    "Du er **infrastrukturansvarlig**: du sætter kortlægningen op og fordeler fagområderne, "
    "og jeg går systemejerne igennem deres systemer, påminder dem og samler Bilag 1.\n\n"
    + FEM_TRIN
    + "\n\nSkriv **hjælp** for at se alle dine kommandoer."
)

KOORDINATOR_HELP = (
    FEM_TRIN + "\n\n**Dine kommandoer**\n"
    "- **opsæt** – kommune, slutdato og Bilag 1 (eksempel-listen eller KOMBITs fil); igen "
    "for at ændre dem\n"
    "- **tildel** – vis fagområderne og deres systemejere; *tildel ESDH "
    "anne@kommune.dk*, *tildel ESDH @Anne* eller *tildel ESDH mig* tildeler\n"
    "- **start** – send invitationerne til systemejerne\n"
    "- **status** – fremdriften pr. fagområde og hvem der er bagud; *status ESDH* viser "
    "svarene i ét fagområde\n"
    "- **forslag** – forslag til svarene fra sidste runde eller KITOS: hent dem, og godkend "
    "de usikre, før systemejerne ser dem\n"
    "- **påmind** – påmind nu alle, der mangler at svare\n"
    "- **udkast** – hent Bilag 1 med svarene indtil nu\n"
    "- **bilag1** – hent det færdige Bilag 1\n"
    "- **send** – se e-mailen til KOMBIT, og send den\n"
    "- **modtaget** – registrér, at KOMBIT har bekræftet modtagelsen\n"
    "- **historik** – de udgaver af Bilag 1, der er lavet og sendt\n"
    "- **ændringer** – rettelser siden Bilag 1 blev sendt, og send dem til KOMBIT\n"
    "- **koordinator tilføj** *e-mail* – gør en kollega til infrastrukturansvarlig\n\n"
    "**Svarer du selv for et fagområde**\n"
    "- **fortsæt** – fortsæt, hvor du slap\n"
    "- **mine** – se dine fagområder og hvor langt du er\n\n"
    "Systemejerne svarer **Anvender**, **Anvender ikke** eller **Sekundær anvendelse** "
    "(kommunen har systemet, men bruger det kun i begrænset omfang, fx et ESDH-system, der "
    "kun bruges til opslag i gamle sager)."
)


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


# --- Systemejerens kortlægning ---


def dato(d: date) -> str:
    """A date the Danish way: 31. august 2027."""
    return f"{d.day}. {MAANEDER[d.month - 1]} {d.year}"


def invitation_title(*, fagomraade: str) -> str:
    return f"Kortlægning af it-systemer: {fagomraade}"


def invitation_body(*, fagomraade: str, antal: int, slutdato: date, koordinator: str) -> str:
    minutter = max(5, round(antal * 0.5))
    return (
        f"{koordinator} har bedt dig svare for fagområdet **{fagomraade}**.\n\n"
        "KOMBIT beregner nøgletal for kommunernes brug af den fælleskommunale "
        "infrastruktur. Mangler et svar, bruger KOMBIT mindre præcise data, så dit svar "
        "gør tallene rigtige for kommunen.\n\n"
        f"Du svarer på **{_antal(antal, 'system', 'systemer')}**: anvender kommunen "
        "systemet, anvender den det ikke, eller er der sekundær anvendelse? Til sidst kan du "
        "tilføje systemer, I bruger, som svarer til dem på listen. Det tager omkring "
        f"{minutter} minutter, og du kan holde pause undervejs.\n\n"
        f"**Slutdato:** {dato(slutdato)}"
    )


def invitations_title(*, fagomraader: int) -> str:
    return f"Kortlægning af it-systemer: {_antal(fagomraader, 'fagområde', 'fagområder')}"


def invitations_body(*, fagomraader: int, systemer: int, slutdato: date, koordinator: str) -> str:
    """One invitation for all of a person's fagområder; each is listed below with its buttons."""
    return (
        f"{koordinator} har bedt dig svare for "
        f"**{_antal(fagomraader, 'fagområde', 'fagområder')}** med i alt "
        f"{_antal(systemer, 'system', 'systemer')}.\n\n"
        "KOMBIT beregner nøgletal for kommunernes brug af den fælleskommunale "
        "infrastruktur. Mangler et svar, bruger KOMBIT mindre præcise data, så dit svar "
        "gør tallene rigtige for kommunen.\n\n"
        "For hvert system svarer du: anvender kommunen systemet, anvender den det ikke, eller "
        "er der sekundær anvendelse? Tag fagområderne ét ad gangen, og hold pause, når du "
        f"vil.\n\n**Slutdato:** {dato(slutdato)}"
    )


def invitation_area_line(*, fagomraade: str, antal: int) -> str:
    return f"**{fagomraade}** – {_antal(antal, 'system', 'systemer')}"


START = "Start"
FORM = "Udfyld som formular"
NOT_ME = "Ikke mig – send videre"
SKIP = "Spring over"
BACK = "Tilbage"
PAUSE = "Pause"
LEVERANDOER = "Leverandør"
BESKRIVELSE = "Beskrivelse"
BEMAERKNING = "Bemærkning (valgfri)"
CURRENT_ANSWER = "Nuværende svar"
MISSING_ANSWER = "Mangler svar"


def system_heading(*, fagomraade: str, nummer: int, antal: int) -> str:
    return f"{fagomraade} · system {nummer} af {antal}"


REMARK_MAX = 80
"""Characters of a remark shown next to an answer; the whole remark is in Bilag 1."""


def with_remark(text: str, bemaerkning: str | None) -> str:
    """An answer with its remark after it, shortened with an ellipsis when long:
    "Anvender ikke — «udfases 2026»". The one place a remark is shown on a card."""
    remark = " ".join((bemaerkning or "").split())
    if not remark:
        return text
    if len(remark) > REMARK_MAX:
        remark = remark[: REMARK_MAX - 1].rstrip() + "…"
    return f"{text} — «{remark}»"


def answer_saved(*, system: str, anvendelse: Anvendelse, bemaerkning: str | None = None) -> str:
    return f"✓ {system}: " + with_remark(anvendelse_label(anvendelse), bemaerkning)


def tilfoejet_answer(
    *,
    anvendelse: Anvendelse | None,
    leverandoer: str | None,
    svarer_til: str | None,
    bemaerkning: str | None,
) -> str:
    """An added system as a summary shows it: answer, leverandør, what it matches, remark."""
    parts = [anvendelse_label(anvendelse)]
    if leverandoer:
        parts.append(leverandoer)
    if svarer_til:
        parts.append(f"svarer til {svarer_til}")
    return with_remark(" · ".join(parts), bemaerkning)


STALE_CARD = "Det kort er ikke længere aktuelt, så jeg har ikke ændret noget. Her er, hvor du er:"
CARD_REPLACED = "Erstattet af et nyere kort længere nede."
SKIPPED = "Sprunget over – ikke besvaret endnu."
SUBMITTED_NOTE = "✓ Indsendt."


ANVENDELSE_HELP = (
    "Det svar forstod jeg ikke. Svar med **Anvender** (*ja*, *1*), **Anvender ikke** "
    "(*nej*, *2*) eller **Sekundær anvendelse** (*sekundær*, *3*). Du kan også skrive "
    "*spring over*, *tilbage* eller *pause*, og **hjælp** forklarer de tre svar."
)

PAUSED = (
    "Pause. Alle dine svar er gemt. Skriv **fortsæt**, når du vil videre – så starter du "
    "præcis, hvor du slap."
)

FIRST_SYSTEM = "Du er ved det første system på listen."


def already_submitted(*, fagomraade: str) -> str:
    return (
        f"Fagområdet **{fagomraade}** er allerede indsendt, så det kort kan ikke bruges "
        "længere. Vil du rette et svar, så skriv **mine** og vælg fagområdet."
    )


def not_assigned() -> str:
    return "Det fagområde er ikke tildelt dig (længere). Skriv **mine** for at se dine fagområder."


NO_FAGOMRAADER = (
    "Du har ikke fået tildelt et fagområde endnu. Den infrastrukturansvarlige tildeler "
    "fagområderne og sender dig en invitation."
)

NO_OPEN_FAGOMRAADER = (
    "Alle dine fagområder er indsendt – tak! Skriv **mine** for at se dem eller rette et svar."
)

MINE_TITLE = "Dine fagområder"
CONTINUE = "Fortsæt"
OPEN_SUMMARY = "Se oversigt"


def fagomraade_progress_line(*, fagomraade: str, besvaret: int, antal: int, indsendt: bool) -> str:
    status = "indsendt" if indsendt else f"{besvaret} af {antal} besvaret"
    return f"**{fagomraade}** – {status}"


# Tilføjede systemer
def tilfoej_question(*, fagomraade: str) -> str:
    return (
        f"Anvender I andre it-systemer inden for **{fagomraade}**, der svarer til systemerne "
        "på listen? Så tilføj dem her – ét ad gangen."
    )


TILFOEJ_NAVN = "It-systemets navn"
TILFOEJ_LEVERANDOER = "Leverandør"
TILFOEJ_SVARER_TIL = "Svarer til (system på listen)"
TILFOEJ_ANVENDELSE = "Anvendelse"
TILFOEJ_BUTTON = "Tilføj system"
TILFOEJ_REMOVE = "Fjern"
TILFOEJ_NEEDS_NAME = (
    "Skriv it-systemets navn i feltet *It-systemets navn*, og tryk *Tilføj system*."
)


def tilfoejet(*, navn: str) -> str:
    return (
        f"✓ {navn} er tilføjet. Tilføj gerne flere, eller tryk **Indsend**, når listen er færdig."
    )


def tilfoejet_removed(*, navn: str) -> str:
    return f"{navn} er fjernet fra listen."


# Oversigt og indsendelse
def summary_title(*, fagomraade: str) -> str:
    return f"Oversigt: {fagomraade}"


def summary_counts(*, besvaret: int, antal: int) -> str:
    return f"{besvaret} af {_antal(antal, 'system', 'systemer')} er besvaret."


SUMMARY_ADDED = "Tilføjede systemer"
SUMMARY_NO_ADDED = "Ingen tilføjede systemer."
CORRECT = "Ret et svar"
CORRECT_CHOOSE = "Vælg system"
CORRECT_OPEN = "Åbn systemet"
SUBMIT = "Indsend"
SUBMIT_ANYWAY = "Indsend alligevel"
SUMMARY_HELP = (
    "Tryk **Indsend**, når svarene er på plads, eller vælg et system under *Ret et svar*. "
    "Du kan også skrive **indsend**."
)
SUMMARY_ADD_QUESTION = "Mangler der et system?"
SUMMARY_ADD = "Tilføj det"
ANSWER_MISSING = "Besvar de manglende"
START_AREA = "Start"
FORM_SHORT = "Formular"
NOT_ME_SHORT = "Ikke mig"


def missing_before_submit(*, mangler: list[str]) -> str:
    antal = len(mangler)
    navne = ", ".join(mangler[:10]) + (" …" if antal > 10 else "")
    return (
        f"{_antal(antal, 'system mangler', 'systemer mangler')} svar: {navne}. "
        "Mangler et svar, bruger KOMBIT mindre præcise data. Vil du indsende alligevel?"
    )


# --- Forslag på systemejerens kort: sidste rundes svar eller KITOS', bekræftet med et tryk ---
# The coordinator's side of suggestions (opsæt, forslag, tildel, status) has its own block.
_FORSLAG_FRA: dict[Kilde, str] = {Kilde.SIDSTE_RUNDE: "Sidste runde", Kilde.KITOS: "KITOS"}
_BEKRAEFTET_FRA: dict[Kilde, str] = {
    Kilde.SIDSTE_RUNDE: "bekræftet fra sidste runde",
    Kilde.KITOS: "bekræftet fra KITOS",
}


def forslag_title(*, kilde: Kilde, kilde_navn: str, system: str) -> str:
    """Where a card's suggestion comes from, with the source's own name for the system when
    it is another ("Sidste runde («Acadre CM»)")."""
    title = _FORSLAG_FRA.get(kilde, str(kilde))
    if normalise(kilde_navn) != normalise(system):
        title += f" («{kilde_navn}»)"
    return title


def forslag_value(*, kilde: Kilde, anvendelse: Anvendelse, bemaerkning: str | None) -> str:
    """The suggestion itself: last round's answer as given, KITOS' as what it suggests."""
    if kilde is Kilde.KITOS:
        return with_remark(f"foreslået {anvendelse_label(anvendelse)}", bemaerkning)
    return with_remark(anvendelse_label(anvendelse), bemaerkning)


def forslag_line(
    *, kilde: Kilde, kilde_navn: str, system: str, anvendelse: Anvendelse, bemaerkning: str | None
) -> str:
    """ "Sidste runde: Anvender — «bemærkning»", where a card has no fact table (the form)."""
    title = forslag_title(kilde=kilde, kilde_navn=kilde_navn, system=system)
    value = forslag_value(kilde=kilde, anvendelse=anvendelse, bemaerkning=bemaerkning)
    return f"{title}: {value}"


def bekraeftet_fra(kilde: Kilde) -> str | None:
    """How an answer's source is named in summaries, ændringer and the change report; None
    for an answer typed or pressed."""
    return _BEKRAEFTET_FRA.get(kilde)


def with_kilde(text: str, kilde: Kilde) -> str:
    """An answer's text with its source after it, when it confirmed a suggestion."""
    fra = bekraeftet_fra(kilde)
    return f"{text} · {fra}" if fra else text


UAENDRET = "Uændret"
BEKRAEFT_ALLE_SIDSTE_RUNDE = "Bekræft alle som sidste runde"
BEKRAEFT_ALLE_FORSLAG = "Bekræft alle forslag"


def bekraeft_alle_intro(*, antal: int, nye: int) -> str:
    nye_tekst = (
        f" {_antal(nye, 'system er nyt eller uden forslag', 'systemer er nye eller uden forslag')}"
        f" – {'det' if nye == 1 else 'dem'} spørger jeg om bagefter."
        if nye
        else ""
    )
    return (
        f"{_antal(antal, 'system har', 'systemer har')} et forslag. Er intet ændret, så "
        f"bekræft dem alle med ét tryk – du ser dem på oversigten bagefter.{nye_tekst}"
    )


def bekraeftet_alle(*, antal: int) -> str:
    return f"✓ {_antal(antal, 'svar', 'svar')} bekræftet som foreslået."


FORSLAG_FINDES_IKKE = (
    "Der er ikke længere et forslag til det system, så jeg har ikke gemt noget. Vælg et af "
    "de tre svar:"
)


def summary_bekraeftede(*, sidste_runde: int, kitos: int) -> str:
    dele = []
    if sidste_runde:
        dele.append(f"{_antal(sidste_runde, 'svar', 'svar')} bekræftet fra sidste runde")
    if kitos:
        dele.append(f"{_antal(kitos, 'svar', 'svar')} bekræftet fra KITOS")
    return "✓ " + " og ".join(dele) + "."


SUMMARY_NYE = "Nye i denne runde"
SUMMARY_UDGAAEDE = "Ikke længere på KOMBITs liste"


def summary_udgaaet(*, navn: str, anvendelse: Anvendelse | None) -> str:
    svar = f" (sidste runde: {anvendelse_label(anvendelse)})" if anvendelse else ""
    return f"{navn}{svar}"


SUMMARY_FORESLAAEDE = "Foreslåede tilføjelser"
SUMMARY_FORESLAAEDE_HINT = (
    "Bruger I stadig disse systemer? Tilføj dem – og vælg, hvilket system på listen de svarer til."
)


def foreslaaet_tilfoejelse(
    *,
    navn: str,
    kilde: Kilde,
    anvendelse: Anvendelse | None,
    leverandoer: str | None,
    bemaerkning: str | None,
) -> str:
    fra = "sidste runde" if kilde is Kilde.SIDSTE_RUNDE else "KITOS"
    svar = tilfoejet_answer(
        anvendelse=anvendelse, leverandoer=leverandoer, svarer_til=None, bemaerkning=bemaerkning
    )
    return f"{navn}: {svar} (fra {fra})"


def foreslaaet_tilfoej(*, navn: str) -> str:
    return f"Tilføj {navn}"


def submitted(*, fagomraade: str, besvaret: int, antal: int) -> str:
    return (
        f"Tak! Fagområdet **{fagomraade}** er indsendt med {besvaret} af {antal} svar. "
        "Du kan stadig rette et svar via **mine**, også når Bilag 1 er sendt til KOMBIT: "
        "den infrastrukturansvarlige sender så rettelsen til KOMBIT som en ændringsrapport."
    )


def coordinator_area_submitted(
    *, systemejer: str, fagomraade: str, besvaret: int, antal: int
) -> str:
    return f"{systemejer} har indsendt fagområdet **{fagomraade}** ({besvaret} af {antal} svar)."


def _alle_fagomraader(antal: int) -> str:
    return "Fagområdet" if antal == 1 else f"Alle {antal} fagområder"


def coordinator_all_submitted(*, antal: int, version: int) -> str:
    return (
        f"{_alle_fagomraader(antal)} er indsendt, og det færdige Bilag 1 er gemt i arkivet "
        f"(version {version}). Hent det, eller send det til KOMBIT med knapperne herunder."
    )


def coordinator_all_submitted_incomplete(*, antal: int, mangler: int) -> str:
    return (
        f"{_alle_fagomraader(antal)} er indsendt, men "
        f"{_antal(mangler, 'it-system mangler', 'it-systemer mangler')} svar, så Bilag 1 kan "
        "ikke gøres færdigt. Systemejerne kan stadig rette deres svar via **mine**. Skriv "
        "**udkast** for at se, hvilke der mangler, og **bilag1**, når de er besvaret."
    )


# Send videre
def handover_question(*, fagomraade: str) -> str:
    return (
        f"Hvem skal svare for **{fagomraade}** i stedet? Skriv kollegaens e-mail eller navn "
        "(eller *annuller*)."
    )


def handover_unknown(*, query: str) -> str:
    return (
        f"Jeg kender ingen, der hedder eller har e-mailen «{query}». Skriv kollegaens e-mail "
        "præcist, eller skriv *annuller*. Kollegaen skal kunne bruge Teams i kommunen."
    )


def handover_ambiguous(*, navne: list[str]) -> str:
    return "Flere passer: " + ", ".join(navne) + ". Skriv kollegaens e-mail i stedet."


def handover_done(*, fagomraade: str, kollega: str) -> str:
    return f"Tak! **{kollega}** har nu fagområdet **{fagomraade}** og får en invitation fra mig."


def coordinator_handover(*, fra: str, til: str, fagomraade: str) -> str:
    return f"{fra} har sendt fagområdet **{fagomraade}** videre til {til}."


HANDOVER_CANCELLED = "Fint, fagområdet bliver hos dig."
HANDOVER_SELF = "Det er dig selv 🙂 Skriv en kollegas e-mail, eller *annuller*."


# Formular
def form_title(*, fagomraade: str, side: int, sider: int) -> str:
    return f"{fagomraade} · side {side} af {sider}"


FORM_HINT = (
    "Vælg et svar for hvert system; en bemærkning er valgfri. Svar, du allerede har givet, "
    "er udfyldt."
)
FORM_CHOOSE = "Vælg svar"
FORM_SAVE_NEXT = "Gem og fortsæt"
FORM_SAVE_LAST = "Gem og gå videre"


def form_saved(*, gemt: int, side: int, sider: int, mangler: int = 0) -> str:
    saved = f"✓ Side {side} af {sider} er gemt ({gemt} svar)."
    if not mangler:
        return saved
    return f"{saved} {_antal(mangler, 'system mangler', 'systemer mangler')} svar."


FORM_REMARK = "Bemærkning"


FORM_HELP = (
    "Vælg svarene i formularen og tryk **Gem og fortsæt**. Skriv **pause** for at holde pause."
)
# --- Bilag 1 ---------------------------------------------------------------------------------
# Messages about a Bilag 1 workbook or an answers file, for the bot and the admin command line.


def _antal(count: int, ental: str, flertal: str) -> str:
    """A count with its noun in the right number: "0 fagområder", "1 arbejdsdag", "1.200 svar".

    Every count a user reads goes through here, so no text says "1 arbejdsdage".
    """
    return f"{count:,}".replace(",", ".") + " " + (ental if count == 1 else flertal)


def _tal(count: int) -> str:
    return f"{count:,}".replace(",", ".")


def _megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):g}".replace(".", ",") + " MB"


def _bilag1_where(err: Bilag1Error) -> str:
    where = f'Filen "{err.filename}"'
    if err.sheet is not None:
        where += f', arket "{err.sheet}"'
    if err.row is not None:
        where += f", række {err.row}"
    return where


_VALID_ANSWERS = "Brug Anvender, Anvender ikke eller Sekundær anvendelse."


def bilag1_error(err: Bilag1Error) -> str:
    """Explain why a workbook or answers file cannot be used, naming file, sheet and row."""
    where = _bilag1_where(err)
    match err.kind:
        case Bilag1ErrorKind.TOO_LARGE:
            limit = _megabytes(err.limit) if err.limit else ""
            return (
                f"{where} er for stor (over {limit}). Bilag 1 fylder normalt under 1 MB. "
                "Tjek, at det er den rigtige fil."
            )
        case Bilag1ErrorKind.LEGACY_XLS:
            return f"{where} er en gammel Excel-fil (.xls). Gem den som .xlsx og prøv igen."
        case Bilag1ErrorKind.ENCRYPTED:
            return (
                f"{where} er beskyttet med adgangskode. Fjern adgangskoden i Excel "
                "(Filer › Info › Beskyt projektmappe), gem filen og prøv igen."
            )
        case Bilag1ErrorKind.NOT_XLSX:
            return (
                f"{where} er ikke en Excel-fil (.xlsx), eller også er den beskadiget. "
                "Åbn den i Excel, gem den som .xlsx og prøv igen."
            )
        case Bilag1ErrorKind.NO_FAGOMRAADE:
            ark = f" (arkene {err.value})" if err.value else ""
            return (
                f"{where} har ingen fagområder med it-systemer. Jeg ledte i de første 30 rækker "
                f"af hvert synligt ark{ark} efter en tabel med en overskriftsrække, der nævner "
                'it-systemet og mindst én kolonne mere, fx "It-system" og "Anvendelse", '
                '"Leverandør" eller "Svar".'
            )
        case Bilag1ErrorKind.TOO_MANY_ROWS:
            limit = _antal(err.limit or 0, "udfyldt række", "udfyldte rækker")
            return f"{where} har over {limit}. Det er for mange til Bilag 1."
        case Bilag1ErrorKind.TOO_FAR_DOWN:
            return (
                f"{where} har celler under række {_tal(err.limit or 0)}. Bilag 1 fylder langt "
                "mindre: slet det, der står længst nede i arket (Ctrl+End viser det), og prøv igen."
            )
        case Bilag1ErrorKind.TOO_WIDE:
            return (
                f"{where} har celler efter kolonne {_tal(err.limit or 0)}. Bilag 1 fylder langt "
                "mindre: slet det, der står længst til højre i rækken, og prøv igen."
            )
        case Bilag1ErrorKind.TOO_SLOW:
            return (
                f"{where} tager for lang tid at læse. Gem en kopi med kun Bilag 1's ark "
                "og prøv igen."
            )
        case Bilag1ErrorKind.NO_SYSTEM_COLUMN:
            return (
                f"{where}: tabellen har ingen kolonne med it-systemernes navne. "
                'Giv kolonnen overskriften "It-system".'
            )
        case Bilag1ErrorKind.NO_ANSWER_COLUMN:
            return (
                f"{where}: tabellen har ingen kolonne til svarene. "
                'Giv kolonnen overskriften "Anvendelse".'
            )
        case Bilag1ErrorKind.MISSING_FAGOMRAADE:
            return f'{where}: it-systemet står uden fagområde. Skriv det i kolonnen "Fagområde".'
        case Bilag1ErrorKind.DUPLICATE_FAGOMRAADE:
            return (
                f'{where}: fagområdet "{err.value}" står allerede på et tidligere ark. '
                "Hvert fagområde må kun stå én gang."
            )
        case Bilag1ErrorKind.DUPLICATE_SYSTEM:
            return (
                f'{where}: "{err.value}" står to gange under fagområdet "{err.fagomraade}". '
                "Slet eller omdøb det ene."
            )
        case Bilag1ErrorKind.TOO_LONG:
            return (
                f"{where}: navnet er over {err.limit} tegn langt. Et fagområde, et it-system "
                "eller en leverandør må højst have "
                f"{err.limit} tegn; skriv en længere forklaring i beskrivelsen."
            )
        case Bilag1ErrorKind.INVALID_ANSWER:
            system = f' (fagområdet "{err.fagomraade}")' if err.fagomraade and not err.sheet else ""
            return f'{where}{system}: "{err.value}" er ikke et gyldigt svar. {_VALID_ANSWERS}'
        case Bilag1ErrorKind.UNKNOWN_FAGOMRAADE:
            return f'Fagområdet "{err.value}" findes ikke i skabelonen "{err.filename}".'
        case Bilag1ErrorKind.UNKNOWN_SYSTEM:
            return (
                f'It-systemet "{err.value}" under fagområdet "{err.fagomraade}" '
                f'findes ikke i skabelonen "{err.filename}".'
            )
        case Bilag1ErrorKind.NO_TILFOEJET_TABLE:
            return (
                f'Skabelonen "{err.filename}" har intet ark til tilføjede systemer, '
                "så de tilføjede systemer kan ikke skrives i den."
            )
        case Bilag1ErrorKind.NOT_JSON:
            return f"{where} er ikke gyldig JSON."
        case Bilag1ErrorKind.BAD_JSON_SHAPE:
            return f"{where} har ikke den forventede opbygning (se {err.value})."
    assert_never(err.kind)


_MISSING_SHOWN = 20


def missing_answers(err: MissingAnswers) -> str:
    """Say that the final Bilag 1 waits for answers, and list (some of) the systems."""
    lines = [
        f"Bilag 1 kan ikke gøres færdigt: "
        f"{_antal(len(err.missing), 'it-system mangler', 'it-systemer mangler')} svar."
    ]
    lines += [f"• {fagomraade}: {system}" for fagomraade, system in err.missing[:_MISSING_SHOWN]]
    if len(err.missing) > _MISSING_SHOWN:
        lines.append(f"… og {_antal(len(err.missing) - _MISSING_SHOWN, 'til', 'til')}.")
    return "\n".join(lines)


def file_not_readable(*, filename: str) -> str:
    """The file named on the command line is missing or cannot be opened."""
    return f'Filen "{filename}" findes ikke eller kan ikke læses.'


def file_not_writable(*, filename: str) -> str:
    """The output file cannot be written."""
    return f'Filen "{filename}" kan ikke gemmes. Tjek mappen og rettighederne.'


def bilag1_summary(
    *, filename: str, fagomraader: int, systemer: int, besvaret: int, tilfoejede: int
) -> str:
    """One line on what a workbook holds."""
    return (
        f'"{filename}": {_antal(fagomraader, "fagområde", "fagområder")}, '
        f"{_antal(systemer, 'it-system', 'it-systemer')}, {besvaret} besvaret, "
        f"{_antal(tilfoejede, 'tilføjet system', 'tilføjede systemer')}."
    )


def bilag1_fagomraade_line(*, fagomraade: str, systemer: int, besvaret: int) -> str:
    """One fagområde's line in the summary of a workbook."""
    return f"  {fagomraade}: {_antal(systemer, 'it-system', 'it-systemer')}, {besvaret} besvaret"


# `kortlaegning inspect --explain`: how each sheet was read, and why.
_ROLLE_NAVNE: Mapping[Role, str] = {
    Role.SYSTEM: "it-system",
    Role.LEVERANDOER: "leverandør",
    Role.BESKRIVELSE: "beskrivelse",
    Role.ANVENDELSE: "svar (anvendelse)",
    Role.BEMAERKNING: "bemærkning",
    Role.FAGOMRAADE: "fagområde",
    Role.SVARER_TIL: "svarer til",
}


def bilag1_explain_sheet(*, ark: str, raekke: int) -> str:
    return f'Arket "{ark}": overskrifterne står i række {raekke}.'


def bilag1_explain_column(
    *, bogstav: str, overskrift: str, rolle: Role | None, grunde: Sequence[str]
) -> str:
    """One column of a sheet: its header, the role it got and why."""
    navn = _ROLLE_NAVNE[rolle] if rolle else "bruges ikke"
    kolonne = f'{bogstav} "{overskrift}"' if overskrift else f"{bogstav} (uden overskrift)"
    return f"  {kolonne}: {navn}" + (f" – {'; '.join(grunde)}" if grunde else "")


def bilag1_explain_reason(reason: Reason) -> str:
    """One piece of evidence for or against a column's role."""
    rolle = _ROLLE_NAVNE[reason.role] if reason.role else "en anden slags kolonne"
    match reason.evidence:
        case Evidence.WORDS:
            return f'ordene "{reason.detail}" peger på {rolle}'
        case Evidence.OPTIONS_NAMED:
            return "overskriften nævner svarmulighederne"
        case Evidence.VALIDATION:
            return "cellernes rulleliste har de tre svar"
        case Evidence.ANSWER_VALUES:
            return _antal(int(reason.detail), "celle indeholder", "celler indeholder") + " svar"
        case Evidence.IDS:
            return "cellerne er numre eller id'er, så ikke it-systemet"
        case Evidence.HIDDEN:
            return "kolonnen er skjult"
        case Evidence.OTHER_FITS_BETTER:
            return f"en anden kolonne passer bedre som {rolle}"
        case Evidence.CHOSEN:
            return "valgt af koordinatoren"
        case Evidence.GUESSED:
            return "gættet, da ingen overskrift nævner it-systemet"
    assert_never(reason.evidence)


def bilag1_explain_doubt(*, tvivl: Doubt, rolle: Role) -> str:
    return "  Usikkert: " + opsaet_kolonner_doubt(tvivl=tvivl.value, rolle=rolle.value)


def bilag1_explain_block(*, fagomraade: str, fra: int, til: int, kilde: BlockSource) -> str:
    """The fagområde of a block of rows, and where its name came from."""
    match kilde:
        case BlockSource.TITLE:
            hvorfra = 'titlen "Fagområde: …" over tabellen'
        case BlockSource.SHEET_NAME:
            hvorfra = "arkets navn"
        case BlockSource.HEADING_ROW:
            hvorfra = "en overskriftsrække"
        case BlockSource.COLUMN:
            hvorfra = "kolonnen med fagområder"
        case _:
            assert_never(kilde)
    return f'  Række {fra}–{til}: fagområdet "{fagomraade}" (fra {hvorfra})'


def bilag1_written(*, filename: str, draft: bool, mangler: int) -> str:
    """Confirm where the filled workbook was saved."""
    if not draft:
        return f'Bilag 1 er gemt i "{filename}".'
    if mangler == 0:
        return f'Udkastet er gemt i "{filename}". Alle it-systemer er besvaret.'
    return (
        f'Udkastet er gemt i "{filename}". '
        f"{_antal(mangler, 'it-system mangler', 'it-systemer mangler')} svar og er markeret."
    )


# --- Infrastrukturansvarlig: roller, opsætning, tildeling, start og status ---


def not_koordinator(*, koordinatorer: Sequence[str]) -> str:
    if not koordinatorer:
        return (
            "Det er kun den infrastrukturansvarlige, der kan bruge den kommando, og der er "
            "ikke sat nogen op endnu."
        )
    return (
        "Det er kun den infrastrukturansvarlige, der kan bruge den kommando. Spørg "
        + _og(list(koordinatorer))
        + ", hvis du mener, du skal have adgang."
    )


NO_KOORDINATORER_CONFIGURED = (
    "Der er ikke sat nogen infrastrukturansvarlig op. IT-driften skal tilføje jeres e-mail "
    "(UPN) i indstillingen **KOORDINATORER** og genstarte botten."
)

BECAME_KOORDINATOR = (
    "Du er nu infrastrukturansvarlig for kortlægningen, fordi du er den første, der sætter "
    "den op (lokal prøve uden app-id).\n\n" + FEM_TRIN
)


def koordinator_added(*, navn: str) -> str:
    return f"{navn} er nu også infrastrukturansvarlig."


KOORDINATOR_ADD_HOW = "Skriv fx **koordinator tilføj anne.jensen@kommune.dk**."


def _og(navne: list[str]) -> str:
    if len(navne) <= 1:
        return "".join(navne)
    return ", ".join(navne[:-1]) + " eller " + navne[-1]


OPSAET_RERUN = (
    "Kortlægningen er allerede sat op. Vil du ændre kommune, slutdato eller Bilag 1? "
    "Alle svar på systemer, der stadig findes på listen, bevares. Svar **ja** eller **nej**."
)
OPSAET_KEPT = "Fint, opsætningen er uændret."
OPSAET_CARD_TITLE = "Opsæt kortlægningen"
OPSAET_KOMMUNE_LABEL = "Kommune"
OPSAET_SLUTDATO_LABEL = "Slutdato"
OPSAET_SKABELON_LABEL = "Bilag 1"
OPSAET_SKABELON_EKSEMPEL = "Eksempel-listen, der følger med botten (ikke KOMBITs officielle)"
OPSAET_SKABELON_UPLOAD = "Jeg uploader KOMBITs Bilag 1 her i chatten"
OPSAET_SUBMIT = "Gem opsætning"
OPSAET_ASK_KOMMUNE = (
    "Hvilken kommune? Skriv navnet eller kommunekoden (fx *Aarhus* eller *751*) – eller "
    "udfyld kortet."
)
OPSAET_ASK_SLUTDATO = "Hvad er slutdatoen? Skriv fx *31/8*, *31-08-2027* eller *31. august*."


def opsaet_kommune_unknown(*, query: str) -> str:
    return f"Jeg kender ingen kommune, der hedder «{query}». Prøv med navnet eller kommunekoden."


def opsaet_kommune_suggestions(*, navne: Sequence[str]) -> str:
    return "Mente du " + _og([f"**{n}**" for n in navne]) + "? Skriv kommunens fulde navn."


def opsaet_card_used(*, kommune: str, slutdato: date) -> str:
    return f"✓ {kommune}, slutdato {dato(slutdato)}. Sendt – jeg går videre nedenfor."


def opsaet_kommune_chosen(*, kommune: str) -> str:
    return f"✓ {kommune}."


OPSAET_SLUTDATO_UNKNOWN = (
    "Den dato kunne jeg ikke læse. Skriv fx *31/8*, *31-08-2027* eller *31. august*."
)


def opsaet_slutdato_past(*, slutdato: date) -> str:
    return f"{dato(slutdato)} er allerede passeret. Vælg en slutdato i fremtiden."


def opsaet_ask_skabelon(*, fagomraader: int, systemer: int) -> str:
    return (
        "Hvilken Bilag 1 skal bruges? Send KOMBITs Bilag 1 (.xlsx) her i chatten, eller skriv "
        "**eksempel** for at bruge eksempel-listen, der følger med botten "
        f"({_antal(fagomraader, 'fagområde', 'fagområder')}, "
        f"{_antal(systemer, 'system', 'systemer')}). Eksempel-listen er **ikke KOMBITs officielle "
        "liste** – den rigtige får du ved at uploade KOMBITs fil."
    )


OPSAET_SKABELON_HELP = (
    "Send Bilag 1 som en .xlsx-fil her i chatten, eller skriv **eksempel** for at bruge "
    "eksempel-listen."
)


def opsaet_file_too_large(*, filnavn: str, max_bytes: int) -> str:
    return f"Filen «{filnavn}» er for stor. Den må højst fylde {_stoerrelse(max_bytes)}."


def _stoerrelse(antal_bytes: int) -> str:
    if antal_bytes >= 1024 * 1024:
        return f"{antal_bytes / (1024 * 1024):.0f} MB"
    return f"{antal_bytes / 1024:.0f} kB"


def opsaet_file_download_failed(*, filnavn: str) -> str:
    return f"Jeg kunne ikke hente filen «{filnavn}» fra Teams. Prøv at sende den igen."


def file_address_refused(*, filnavn: str) -> str:
    """An attachment whose link does not point at Teams' file storage on the internet."""
    return (
        f"Jeg henter ikke filen «{filnavn}»: linket peger ikke på Teams' fillager, men på en "
        "adresse, jeg af sikkerhedshensyn ikke henter fra. Har du videresendt filen fra en "
        "anden, så gem den på din computer og send den til mig direkte herfra."
    )


# opsæt: the mapping card, when the reader is unsure which column holds what.
OPSAET_KOLONNER_INTRO = (
    "Jeg er ikke helt sikker på, hvordan jeres Bilag 1 er sat op. Se på kortene herunder, "
    "hvilke kolonner jeg har valgt, ret dem, hvis de er forkerte, og tryk **Ser rigtigt ud** "
    "på hvert kort. Svarene skrives i den kolonne, du vælger til svarene, når Bilag 1 bliver "
    "færdigt."
)
OPSAET_KOLONNER_SUBMIT = "Ser rigtigt ud"
OPSAET_KOLONNER_ASK = "Tjek kolonnerne på kortene ovenfor, og tryk **Ser rigtigt ud** på hvert."
OPSAET_KOLONNER_NONE = "(ingen)"
OPSAET_KOLONNER_STALE = (
    "Det kort hører til en opsætning, der ikke er i gang længere. Skriv **opsæt** for at "
    "begynde forfra."
)
OPSAET_KOLONNE_LABELS: Mapping[str, str] = {
    "system": "Kolonnen med it-systemernes navne",
    "leverandoer": "Kolonnen med leverandøren",
    "anvendelse": "Kolonnen til svarene (Anvender, Anvender ikke, Sekundær anvendelse)",
    "bemaerkning": "Kolonnen til bemærkninger",
}
_KOLONNE_ROLLER: Mapping[str, str] = {
    "system": "it-systemernes navne",
    "leverandoer": "leverandøren",
    "anvendelse": "svarene",
}


def opsaet_kolonner_title(*, ark: str) -> str:
    return f"Kolonnerne på arket «{ark}»"


def opsaet_kolonner_sheet(*, raekke: int) -> str:
    return f"Overskrifterne står i række {raekke}."


def opsaet_kolonner_confirmed(*, ark: str, mangler: Sequence[str]) -> str:
    """One sheet's columns are confirmed; say which sheets still wait for their card."""
    ark_mangler = ", ".join(f"«{navn}»" for navn in mangler)
    return f"Tak, arket «{ark}» er på plads. Tryk **Ser rigtigt ud** for {ark_mangler} også."


def opsaet_kolonne_choice(*, bogstav: str, overskrift: str) -> str:
    return f"{bogstav}: {overskrift}" if overskrift else f"{bogstav} (uden overskrift)"


def opsaet_kolonner_first(*, systemer: Sequence[str]) -> str:
    if not systemer:
        return "Jeg fandt ingen it-systemer under overskrifterne."
    return "De første it-systemer: " + ", ".join(f"«{navn}»" for navn in systemer) + "."


def opsaet_kolonner_doubt(*, tvivl: str, rolle: str) -> str:
    """Why the reader asks: two candidates, no answer column, or a weak guess."""
    navn = _KOLONNE_ROLLER.get(rolle, rolle)
    if tvivl == "no_answer_column":
        return "Jeg fandt ingen kolonne til svarene – vælg den herunder."
    if tvivl == "not_answers":
        return (
            "Kolonnen jeg gættede på til svarene rummer tekst, der ikke er et svar – "
            "vælg kolonnen til svarene herunder."
        )
    if tvivl == "two_candidates":
        return f"Flere kolonner kan være kolonnen med {navn}."
    return f"Jeg er usikker på kolonnen med {navn}."


def opsaet_kolonner_missing(*, ark: str) -> str:
    return (
        f"Vælg både kolonnen med it-systemernes navne og kolonnen til svarene på arket «{ark}», "
        "og tryk **Ser rigtigt ud** igen."
    )


def opsaet_kolonner_same(*, ark: str) -> str:
    return (
        f"To af valgene peger på samme kolonne på arket «{ark}». Vælg forskellige kolonner, "
        "og tryk **Ser rigtigt ud** igen."
    )


def opsaet_done(
    *,
    kommune: str,
    slutdato: date,
    fagomraader: int,
    systemer: int,
    eksempel: bool,
    bevaret: int,
    fjernet: int,
) -> str:
    kilde = (
        "eksempel-listen (ikke KOMBITs officielle liste)" if eksempel else "jeres uploadede Bilag 1"
    )
    tekst = (
        f"Kortlægningen er sat op for **{kommune}** med slutdato **{dato(slutdato)}**: "
        f"{_antal(fagomraader, 'fagområde', 'fagområder')} og "
        f"{_antal(systemer, 'system', 'systemer')} fra {kilde}."
    )
    if bevaret or fjernet:
        tekst += f" {bevaret} svar er bevaret"
        tekst += (
            f", {fjernet} svar hørte til systemer, der ikke længere er på listen."
            if fjernet
            else "."
        )
    return tekst + "\n\nNæste skridt: **tildel** fagområderne til systemejerne, og skriv **start**."


NO_KORTLAEGNING = "Kortlægningen er ikke sat op endnu. Skriv **opsæt** for at begynde."

# tildel
TILDEL_HOW = (
    "Skriv **tildel <fagområde> <e-mail>** (fx *tildel ESDH anne.jensen@kommune.dk*), nævn "
    "kollegaen med @ i et team, eller skriv **tildel <fagområde> mig**. Du kan også vælge på "
    "kortet."
)
TILDEL_CARD_TITLE = "Tildel fagområder"
TILDEL_FAGOMRAADE_LABEL = "Fagområde"
TILDEL_PERSON_LABEL = "Systemejer"
TILDEL_SUBMIT = "Tildel"
TILDEL_NO_OWNER = "Ingen endnu"


def tildel_unknown_fagomraade(*, query: str, fagomraader: Sequence[str]) -> str:
    return (
        f"Jeg kender intet fagområde, der hedder «{query}». Fagområderne er: "
        + ", ".join(fagomraader)
        + "."
    )


def tildel_ambiguous_fagomraade(*, navne: Sequence[str]) -> str:
    return "Flere fagområder passer: " + ", ".join(navne) + ". Skriv mere af navnet."


GRAPH_DOCS = "docs/deployment.md, afsnittet «Microsoft Graph»"
"""Where the operator reads how to turn Graph on; the coordinator passes it to IT."""


UNNAMED_ROSTER = "et team, hvis navn botten ikke har fået"


def tildel_unknown_person(*, query: str, teams: Sequence[str], graph: bool) -> str:
    """Nobody found: what was searched, and what the coordinator can do about it."""
    if teams:
        searched = "medlemmerne af de teams og gruppechats, botten er med i (" + ", ".join(
            f"*{navn}*" if navn else UNNAMED_ROSTER for navn in teams
        )
        searched += ")"
    else:
        searched = (
            "de personer, der selv har skrevet til botten – den er endnu ikke med i noget team"
        )
    if graph:
        searched += " og kommunens katalog (Microsoft Graph)"
    fixes = [
        "Skriv personens e-mail (UPN) præcist, fx *tildel ESDH anne.jensen@kommune.dk*.",
        "Tilføj botten til et team, hvor personen er med (teamets **⋯ → Administrer team → "
        "Apps**), og skriv så her igen.",
        "Bed Teams-administratoren forhåndsinstallere appen for alle med en opsætningspolitik "
        "(setup policy).",
    ]
    if not graph:
        fixes.append(
            "Bed IT-driften slå Microsoft Graph til, så botten kan finde alle i kommunens "
            f"katalog ({GRAPH_DOCS})."
        )
    return (
        f"Jeg fandt ingen «{query}». Jeg har ledt i {searched}.\n\nDet kan du gøre:\n"
        + "\n".join(f"- {fix}" for fix in fixes)
    )


def tildel_ambiguous_person(*, query: str, navne: Sequence[str]) -> str:
    return f"Flere passer på «{query}»: " + ", ".join(navne) + ". Skriv personens e-mail."


def tildel_directory_consent(*, query: str) -> str:
    return (
        f"Jeg kunne ikke slå «{query}» op: Microsoft Graph afviste botten, fordi en "
        "administrator ikke har givet samtykke (admin consent) til appens tilladelser. "
        "Bed en global administrator give samtykke under appregistreringens "
        f"**API-tilladelser** i Entra ID ({GRAPH_DOCS}). Intet er tildelt."
    )


def tildel_directory_unavailable(*, query: str) -> str:
    return (
        f"Kommunens katalog (Microsoft Graph) svarede ikke, da jeg ledte efter «{query}». "
        "Prøv igen om lidt. Intet er tildelt."
    )


_REACH_LABELS: dict[ReachStatus, str] = {
    ReachStatus.CHAT: "har chat med botten",
    ReachStatus.WILL_CREATE: "chatten oprettes ved invitationen",
    ReachStatus.WILL_INSTALL: "appen installeres for personen ved invitationen",
}

_UNREACHABLE_WHY: dict[UnreachableReason, str] = {
    UnreachableReason.NO_SHARED_ROSTER: "er ikke med i et team eller en gruppechat, hvor botten er",
    UnreachableReason.NOT_IN_DIRECTORY: "findes ikke i kommunens katalog",
    UnreachableReason.CONSENT_MISSING: (
        "en administrator har ikke givet samtykke til appens Microsoft Graph-tilladelser"
    ),
    UnreachableReason.DIRECTORY_UNAVAILABLE: "Microsoft Graph svarede ikke",
    UnreachableReason.BLOCKED: "har blokeret eller fjernet botten",
}

_UNREACHABLE_FIX: dict[UnreachableReason, str] = {
    UnreachableReason.NO_SHARED_ROSTER: (
        "Tilføj botten til et team, hvor personen er med, bed Teams-administratoren "
        "forhåndsinstallere appen med en opsætningspolitik, eller bed IT-driften slå Microsoft "
        f"Graph til ({GRAPH_DOCS})."
    ),
    UnreachableReason.NOT_IN_DIRECTORY: "Tjek e-mailen, eller tildel fagområdet til en anden.",
    UnreachableReason.CONSENT_MISSING: (
        "Bed en global administrator give samtykke under appregistreringens API-tilladelser i "
        f"Entra ID ({GRAPH_DOCS})."
    ),
    UnreachableReason.DIRECTORY_UNAVAILABLE: "Prøv igen om lidt.",
    UnreachableReason.BLOCKED: (
        "Bed personen åbne Kortlægningsbot i Teams igen, eller tildel fagområdet til en anden."
    ),
}


def reach_label(reach: Reachability) -> str:
    """How a systemejer will be reached, for the tildel overview."""
    if reach.status is ReachStatus.UNREACHABLE:
        why = _UNREACHABLE_WHY[reach.reason or UnreachableReason.NO_SHARED_ROSTER]
        return f"kan ikke nås: {why}"
    return _REACH_LABELS[reach.status]


def owner_reach(*, navn: str, reach: Reachability) -> str:
    return f"{navn} ({reach_label(reach)})"


def unreachable_person(*, navn: str, reason: UnreachableReason) -> str:
    """One person who cannot be reached, why, and the fix."""
    return f"{navn} kan ikke nås: {_UNREACHABLE_WHY[reason]}. {_UNREACHABLE_FIX[reason]}"


def tildel_unreachable(*, fagomraade: str, navn: str, reason: UnreachableReason) -> str:
    return (
        unreachable_person(navn=navn, reason=reason)
        + f" **{fagomraade}** er ikke tildelt, så intet står halvt."
    )


def tildel_done(*, fagomraade: str, navn: str, inviteret: bool) -> str:
    tekst = f"✓ **{fagomraade}** er tildelt {navn}."
    return tekst + (" Invitationen er sendt." if inviteret else "")


def tildel_already(*, fagomraade: str, navn: str) -> str:
    return f"{navn} har allerede **{fagomraade}**."


# start
def start_done(*, inviteret: int) -> str:
    return (
        f"Invitationerne er sendt til {_antal(inviteret, 'systemejer', 'systemejere')}. "
        "Skriv **status** for at følge med.\n\nHusk at sætte opgaven til **påbegyndt** i KLIK."
    )


def start_confirm(*, unassigned: int, tildelte: int) -> str:
    """Asked before inviting anyone while some fagområder still have no systemejer."""
    hvem = f"de {tildelte} tildelte" if tildelte > 1 else "det ene tildelte"
    oevrige = "De øvrige inviteres" if unassigned > 1 else "Det sidste inviteres"
    return (
        f"{_antal(unassigned, 'fagområde har', 'fagområder har')} ingen systemejer. "
        f"Send {'invitationerne' if tildelte > 1 else 'invitationen'} til {hvem} nu? "
        f"{oevrige}, når du tildeler {'dem' if unassigned > 1 else 'det'}."
    )


START_TILDEL_FOERST = "Tildel først"

START_NOTHING = (
    "Der er ingen at invitere: tildel først fagområderne med **tildel**, eller også er alle "
    "allerede inviteret."
)


def start_unassigned(*, fagomraader: Sequence[str]) -> str:
    return "Disse fagområder har ingen systemejer endnu: " + ", ".join(fagomraader) + "."


# status
STATUS_TITLE = "Status for kortlægningen"


def status_overall(
    *, procent: int, besvaret: int, antal: int, indsendt: int, fagomraader: int
) -> str:
    return (
        f"{procent} % besvaret ({besvaret} af {_antal(antal, 'system', 'systemer')}) · "
        f"{indsendt} af {_antal(fagomraader, 'fagområde', 'fagområder')} indsendt"
    )


def status_days(*, dage: int, slutdato: date) -> str:
    if dage > 1:
        return f"{dage} dage til slutdatoen ({dato(slutdato)})."
    if dage == 1:
        return f"1 dag til slutdatoen ({dato(slutdato)})."
    if dage == 0:
        return f"Slutdatoen er i dag ({dato(slutdato)})."
    return f"Slutdatoen ({dato(slutdato)}) er overskredet med {_antal(-dage, 'dag', 'dage')}."


def status_area_line(
    *, fagomraade: str, ejere: Sequence[str], besvaret: int, antal: int, indsendt: bool
) -> str:
    hvem = ", ".join(ejere) if ejere else TILDEL_NO_OWNER
    state = "✓ indsendt" if indsendt else f"{besvaret}/{antal}"
    return f"**{fagomraade}** · {state} · {hvem}"


def status_last_activity(*, tidspunkt: str) -> str:
    return f"Sidst aktiv: {tidspunkt}"


def status_late(*, navne: Sequence[str]) -> str:
    return "Bagud: " + ", ".join(navne)


STATUS_COMPLETE = "Alle fagområder er indsendt."


def tidspunkt(moment: datetime, zone: tzinfo) -> str:
    """A moment in local time, the Danish way: 3. marts 2027 kl. 14.05."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(zone)
    return f"{dato(local.date())} kl. {local:%H.%M}"


# påmind
def paamind_done(*, antal: int) -> str:
    return f"Påmindelsen er sendt til {_antal(antal, 'systemejer', 'systemejere')}."


PAAMIND_NOBODY = "Alle fagområder er indsendt – der er ingen at påminde."


def status_kombit_modtaget(*, tidspunkt: str) -> str:
    """The status card's last line once KOMBIT has confirmed receipt."""
    return f"✓ KOMBIT bekræftede modtagelsen {tidspunkt}. Opgaven er fuldført."


# --- Levering af Bilag 1 ---
# udkast, bilag1, send, modtaget, historik and ændringer; the e-mail to KOMBIT; the file
# offer in Teams; the download page; and `kortlaegning export`.

# The file offer: a card with the file and a link, then Teams' consent card to save it.
UDKAST_TITLE = "Udkast af Bilag 1"
FILE_NAME = "Fil"
FILE_CREATED = "Lavet"
FILE_BY = "Af"
FILE_ASSEMBLED = "Samlet"
FILE_STATUS = "Status"
FILE_SHA256 = "SHA-256"
DOWNLOAD_BUTTON = "Hent via link"
AUTOMATIC = "automatisk"
FILE_ONLY_IN_PERSONAL_CHAT = (
    "Teams kan kun gemme filen i din OneDrive fra en personlig chat med mig. Skriv "
    "**bilag1** (eller **udkast**) til mig dér."
)


def bilag1_version_title(*, nummer: int) -> str:
    return f"Bilag 1 · version {nummer}"


def udkast_ready(*, mangler: int, ikke_indsendt: Sequence[str]) -> str:
    tekst = "Her er et udkast af Bilag 1 med svarene indtil nu."
    if mangler:
        tekst += (
            f" {_antal(mangler, 'it-system mangler', 'it-systemer mangler')} svar og er "
            "markeret med rødt i arket."
        )
    else:
        tekst += " Alle it-systemer er besvaret."
    if ikke_indsendt:
        tekst += " Ikke indsendt endnu: " + ", ".join(ikke_indsendt) + "."
    return tekst


def link_valid_until(*, tidspunkt: str) -> str:
    return f"Linket virker til {tidspunkt} og kun for denne fil."


def file_consent_description(*, filnavn: str) -> str:
    """Shown on Teams' consent card; Teams adds its own Tillad/Afvis buttons."""
    return f"Gem {filnavn} i din OneDrive, så du kan åbne den i Excel eller Outlook."


def file_uploaded(*, filnavn: str) -> str:
    return f"✓ **{filnavn}** er gemt i din OneDrive."


FILE_DECLINED = (
    "Fint, filen er ikke gemt i din OneDrive. Du kan stadig hente den via linket, eller bede "
    "om den igen."
)
FILE_UPLOAD_FAILED = (
    "Filen kunne ikke gemmes i din OneDrive. Prøv igen om lidt, eller hent den via linket."
)
FILE_GONE = "Den fil findes ikke længere. Skriv **bilag1** eller **udkast** for at få en ny."

# The all-submitted notice and `bilag1`.
HENT_BILAG1 = "Hent Bilag 1"
SEND_TIL_KOMBIT = "Send til KOMBIT"


def bilag1_not_ready(*, ikke_indsendt: Sequence[str]) -> str:
    antal = len(ikke_indsendt)
    return (
        f"Bilag 1 er ikke færdigt endnu: {_antal(antal, 'fagområde', 'fagområder')} er ikke "
        "indsendt (" + ", ".join(ikke_indsendt) + "). Skriv **udkast** for at se svarene "
        "indtil nu."
    )


# send
def send_refused_unsubmitted(*, fagomraader: Sequence[str]) -> str:
    antal = len(fagomraader)
    hvad = f"fagområdet {fagomraader[0]} er" if antal == 1 else f"{antal} fagområder er"
    return (
        f"Bilag 1 kan ikke sendes til KOMBIT endnu: {hvad} ikke indsendt"
        + ("" if antal == 1 else " (" + ", ".join(fagomraader) + ")")
        + ". Skriv **status** for at se, hvem der mangler, eller **påmind** for at minde dem "
        "om det."
    )


def send_refused_missing(err: MissingAnswers) -> str:
    return (
        missing_answers(err)
        + "\n\nKOMBIT bruger mindre præcise data, hvor der mangler svar, så Bilag 1 sendes "
        "først, når alle it-systemer er besvaret. Systemejerne kan rette via **mine**."
    )


def send_nothing_new(*, version: int, tidspunkt: str) -> str:
    return (
        f"Version {version} blev sendt til KOMBIT {tidspunkt}, og intet er ændret siden. "
        "Skriv **ændringer**, hvis der senere kommer rettelser."
    )


SEND_PREVIEW_TITLE = "Klar til at sende til KOMBIT"
CHANGE_REPORT_PREVIEW_TITLE = "Ændringsrapport til KOMBIT"
SEND_PREVIEW_HINT = "Tjek modtager, emne og fil. Intet sendes, før du trykker **Send nu**."
MAIL_TO = "Til"
MAIL_SUBJECT = "Emne"
MAIL_ATTACHMENT = "Vedhæftet"
MAIL_REPLY_TO = "Svar til"
MAIL_SENT_AT = "Sendt"
MAIL_BODY = "Tekst"
SEND_NOW = "Send nu"
SEND_RETRY = "Prøv igen"
SEND_AS_EML = "Hent som e-mail-fil"
SENT_TITLE = "Sendt til KOMBIT"
EML_TITLE = "E-mail til KOMBIT, klar til at sende"


def sent_done(*, tidspunkt: str, aendringsrapport: bool) -> str:
    hvad = "Ændringsrapporten" if aendringsrapport else "Bilag 1"
    return (
        f"✓ {hvad} er sendt til KOMBIT {tidspunkt}. Skriv **modtaget**, når KOMBIT har "
        "bekræftet modtagelsen."
    )


def eml_ready(*, aendringsrapport: bool) -> str:
    hvad = "ændringsrapporten" if aendringsrapport else "e-mailen med Bilag 1"
    return (
        f"Der er ingen mailserver sat op, så her er {hvad} som fil. Åbn filen i Outlook, og "
        "tryk **Send**: modtager, emne, tekst og Bilag 1 er udfyldt. Skriv **modtaget**, når "
        "KOMBIT har bekræftet modtagelsen."
    )


SEND_STALE = (
    "Svarene er ændret, siden forhåndsvisningen blev lavet. Skriv **send** igen for at se den "
    "opdaterede udgave."
)


def send_busy(*, version: int) -> str:
    return f"Version {version} er allerede sendt eller ved at blive sendt."


def send_failed(*, forsoeg: int, permanent: bool) -> str:
    hvorfor = "mailserveren afviste e-mailen" if permanent else "mailserveren svarede ikke"
    return (
        f"Bilag 1 kunne ikke sendes til KOMBIT: {hvorfor} "
        f"({_antal(forsoeg, 'forsøg', 'forsøg')}). Versionen ligger stadig i arkivet. Prøv "
        "igen, eller hent e-mailen som fil og send den fra Outlook."
    )


# The e-mail to KOMBIT: the subject is KOMBIT's rule, to the letter.
def kombit_subject(*, kommune: str) -> str:
    return f"[{kommune}/kortlægning af it-systemer]"


def _kontakt(navn: str | None, email: str | None) -> str:
    if navn and email:
        return f"{navn} ({email})"
    return navn or email or "–"


def kombit_body(
    *,
    kommune: str,
    kontaktperson: str | None,
    email: str | None,
    fagomraader: int,
    systemer: int,
    tilfoejede: int,
) -> str:
    return (
        "Kære KOMBIT\n\n"
        f"Hermed {kommune}s udfyldte Bilag 1 til kortlægningen af, hvilke it-systemer "
        "kommunen anvender og ikke anvender.\n\n"
        f"Kommune: {kommune}\n"
        f"Kontaktperson: {_kontakt(kontaktperson, email)}\n"
        f"Fagområder: {fagomraader}\n"
        f"It-systemer med svar: {systemer}"
        + (f", heraf {tilfoejede} tilføjet af kommunen" if tilfoejede else "")
        + "\n\nMed venlig hilsen\n"
        + (f"{kontaktperson}\n" if kontaktperson else "")
        + f"{kommune}\n"
    )


def change_report_body(
    *,
    kommune: str,
    kontaktperson: str | None,
    email: str | None,
    version: int,
    sendt: str,
    changes: Sequence[Change],
    zone: tzinfo,
) -> str:
    lines = "\n".join(f"- {change_line(c, zone)}" for c in changes)
    return (
        "Kære KOMBIT\n\n"
        f"Hermed ændringer til {kommune}s Bilag 1, siden version {version} blev sendt "
        f"{sendt}. Det opdaterede Bilag 1 er vedhæftet.\n\n"
        f"Ændringer ({len(changes)}):\n{lines}\n\n"
        f"Kontaktperson: {_kontakt(kontaktperson, email)}\n\n"
        "Med venlig hilsen\n" + (f"{kontaktperson}\n" if kontaktperson else "") + f"{kommune}\n"
    )


def _svar(anvendelse: Anvendelse | None, bemaerkning: str | None) -> str:
    label = anvendelse_label(anvendelse)
    return f"{label} ({bemaerkning})" if bemaerkning else label


def change_line(change: Change, zone: tzinfo) -> str:
    """One change: where, before → after, who and when."""
    hvor = f"{change.fagomraade} · {change.system}"
    if change.kind is ChangeKind.ADDED:
        hvad = f"tilføjet ({anvendelse_label(change.after)})"
    elif change.kind is ChangeKind.REMOVED:
        hvad = "fjernet fra de tilføjede systemer"
    else:
        hvad = (
            f"{_svar(change.before, change.before_bemaerkning)} → "
            f"{_svar(change.after, change.after_bemaerkning)}"
        )
    hvem = change.by or "?"
    fra = bekraeftet_fra(change.kilde) if change.kilde is not None else None
    kilde = f", {fra}" if fra else ""
    return f"{hvor}: {hvad} ({hvem}, {tidspunkt(change.at, zone)}{kilde})"


# modtaget
MODTAGET_NOTHING_SENT = (
    "Der er ikke sendt noget til KOMBIT endnu. Skriv **send**, når Bilag 1 er klar."
)


def modtaget_done(*, version: int) -> str:
    return (
        f"✓ Registreret: KOMBIT har bekræftet modtagelsen af Bilag 1 (version {version}). "
        "Kortlægningen er fuldført – tak for indsatsen!\n\n"
        "Husk at sætte opgaven til **fuldført** i KLIK."
    )


def modtaget_already(*, version: int, tidspunkt: str) -> str:
    return f"KOMBITs modtagelse af version {version} blev allerede registreret {tidspunkt}."


# historik
HISTORIK_TITLE = "Arkiverede udgaver af Bilag 1"
HISTORIK_EMPTY = (
    "Der er ingen arkiverede udgaver af Bilag 1 endnu. Det færdige Bilag 1 arkiveres "
    "automatisk, når alle fagområder er indsendt."
)

_REASONS: dict[VersionReason, str] = {
    VersionReason.ALL_SUBMITTED: "alle fagområder indsendt",
    VersionReason.REQUESTED: "hentet",
    VersionReason.SEND: "lavet til afsendelse",
    VersionReason.CHANGE_REPORT: "ændringsrapport",
    VersionReason.EXPORT: "eksporteret af driften",
}


def assembled_automatically(*, af: str | None) -> str:
    """How the final Bilag 1 came about: the bot assembled it when the last area came in.

    The person who submitted that area did not make the workbook, so it is not "Af" them.
    """
    if af:
        return f"automatisk, da {af} indsendte det sidste fagområde"
    return "automatisk, da det sidste fagområde blev indsendt"


def version_by_label(reason: VersionReason) -> str:
    """The title of the fact that says who made a version (see version_by)."""
    return FILE_ASSEMBLED if reason is VersionReason.ALL_SUBMITTED else FILE_BY


def version_by(*, af: str | None, reason: VersionReason) -> str:
    """Who made a version; the final one was assembled by the bot, not by the last submitter."""
    if reason is VersionReason.ALL_SUBMITTED:
        return assembled_automatically(af=af)
    return af or AUTOMATIC


def historik_heading(*, nummer: int, tidspunkt: str, af: str | None, reason: VersionReason) -> str:
    if reason is VersionReason.ALL_SUBMITTED:
        return f"**Version {nummer}** · {tidspunkt} · samlet {assembled_automatically(af=af)}"
    return f"**Version {nummer}** · {tidspunkt} · {af or AUTOMATIC} · {_REASONS[reason]}"


def send_status_label(version: Bilag1Version, zone: tzinfo) -> str:
    """Where a version is on its way to KOMBIT, for historik and the file card."""
    match version.send_status:
        case SendStatus.NOT_SENT:
            label = "Ikke sendt"
        case SendStatus.SENDING:
            label = "Sendes nu"
        case SendStatus.SENT:
            label = "Sendt til KOMBIT" + _when(version.sent_at, zone)
        case SendStatus.EML:
            label = "Udleveret som e-mail-fil" + _when(version.sent_at, zone)
        case SendStatus.FAILED:
            label = f"Afsendelse mislykkedes ({_antal(version.send_attempts, 'forsøg', 'forsøg')})"
        case _:
            assert_never(version.send_status)
    if version.modtaget_at is not None:
        label += " · modtaget af KOMBIT" + _when(version.modtaget_at, zone)
    return label


def _when(moment: datetime | None, zone: tzinfo) -> str:
    return f" {tidspunkt(moment, zone)}" if moment else ""


def historik_button(*, nummer: int) -> str:
    return f"Hent version {nummer}"


# ændringer
AENDRINGER_NOT_SENT = (
    "Bilag 1 er ikke sendt til KOMBIT endnu, så der er ingen ændringer at melde. Skriv "
    "**send**, når det er klar."
)
AENDRINGER_SEND = "Send ændringsrapport til KOMBIT"


def aendringer_none(*, version: int, tidspunkt: str) -> str:
    return f"Intet er ændret, siden version {version} blev sendt {tidspunkt}."


def aendringer_title(*, antal: int, version: int, tidspunkt: str) -> str:
    return f"{_antal(antal, 'ændring', 'ændringer')} siden version {version} blev sendt {tidspunkt}"


def change_after_send(*, navn: str, version: int, tidspunkt: str) -> str:
    return (
        f"{navn} har ændret et svar, efter Bilag 1 (version {version}) blev sendt til KOMBIT "
        f"{tidspunkt}. Skriv **ændringer** for at se ændringerne og sende KOMBIT en "
        "ændringsrapport."
    )


# The download page (HTML, so no markdown).
DOWNLOAD_REFUSED_TITLE = "Linket virker ikke"
DOWNLOAD_REFUSED = (
    "Linket er udløbet eller ikke gyldigt. Skriv bilag1 eller udkast til Kortlægningsbot i "
    "Teams for at få et nyt link."
)
DOWNLOAD_GONE_TITLE = "Filen findes ikke længere"
DOWNLOAD_GONE = (
    "Filen er slettet, fordi kortlægningen er sat op forfra. Skriv bilag1 eller udkast til "
    "Kortlægningsbot i Teams for at få en ny."
)


# kortlaegning export
def export_no_kortlaegning(*, kommunekode: str) -> str:
    return f"Der er ingen kortlægning for kommunekode {kommunekode} i databasen."


def export_archived(*, version: int) -> str:
    return f"Den endelige udgave er gemt i arkivet som version {version}."


# --- Påmindelser og levering ---


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
            f"{'It-systemet' if total == 1 else f'Alle {total} it-systemer'} i **{fagomraade}** "
            "er besvaret, men fagområdet er ikke "
            f"indsendt endnu. {frist} Tryk **{CONTINUE}** for at se svarene og indsende."
        )
    systemer = "it-system" if total == 1 else "it-systemer"
    knap = (
        f"Tryk **{START_AREA}** for at gå i gang."
        if unanswered == total
        else f"Tryk **{CONTINUE}** for at fortsætte, hvor du slap."
    )
    return (
        f"Der mangler stadig svar på **{unanswered} af {total}** {systemer} i fagområdet "
        f"**{fagomraade}**. {frist} For hvert system svarer du *Anvender*, *Anvender ikke* "
        f"eller *Sekundær anvendelse*. {knap}"
    )


def reminders_title(*, fagomraader: int) -> str:
    return f"Påmindelse: {_antal(fagomraader, 'fagområde', 'fagområder')} mangler"


def reminders_systemejer(*, slutdato: date, dage: int) -> str:
    """The body of a systemejer's reminder listing several unfinished fagområder."""
    return (
        f"Slutdatoen er **{dato(slutdato)}** ({naar(dage=dage)}). Disse fagområder mangler "
        "stadig svar eller at blive indsendt. For hvert system svarer du *Anvender*, "
        "*Anvender ikke* eller *Sekundær anvendelse*."
    )


def reminder_area_status(*, fagomraade: str, unanswered: int, total: int) -> str:
    if unanswered == 0:
        return f"**{fagomraade}** – alle besvaret, mangler at blive indsendt"
    return f"**{fagomraade}** – {unanswered} af {_antal(total, 'system', 'systemer')} mangler svar"


def reminder_area_line(
    *, fagomraade: str, answered: int, total: int, systemejere: Sequence[str]
) -> str:
    """One unfinished fagområde in the coordinator's summary, with its systemejere."""
    return f"- **{fagomraade}**: {answered} af {total} besvaret – {', '.join(systemejere)}"


def reminder_unassigned(*, fagomraader: Sequence[str]) -> str:
    """Unfinished fagområder nobody was reminded about, because nobody has them."""
    hvilke = _antal(len(fagomraader), "fagområde har", "fagområder har")
    return (
        f"{hvilke} ingen systemejer, så ingen har fået en påmindelse – tildel "
        f"{'det' if len(fagomraader) == 1 else 'dem'} med **tildel**: "
        + ", ".join(fagomraader)
        + "."
    )


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


_NEEDS_A_CHAT = frozenset(
    {FailureReason.BLOCKED, FailureReason.NOT_FOUND, FailureReason.NO_CONVERSATION}
)
NEEDS_A_CHAT_HELP = (
    "Botten kan skrive til dem, der har en chat med den eller er med i et team eller en "
    "gruppechat, hvor botten er. Tilføj botten til et team, hvor de er med, bed "
    "Teams-administratoren forhåndsinstallere appen med en opsætningspolitik, eller bed "
    f"IT-driften slå Microsoft Graph til ({GRAPH_DOCS})."
)


def not_reached(*, people: Sequence[tuple[str, FailureReason]]) -> str:
    """The people a message from start or påmind could not reach, each with why."""
    summary = unreachable_summary(
        lines=[unreachable_line(navn=navn, reason=reason) for navn, reason in people]
    )
    if any(reason in _NEEDS_A_CHAT for _, reason in people):
        return f"{summary}\n\n{NEEDS_A_CHAT_HELP}"
    return summary


def on_its_way(*, navne: Sequence[str]) -> str:
    """Messages Teams asked the bot to hold back a moment: sent later, not lost."""
    return (
        f"Beskeden til {_og(list(navne)).replace(' eller ', ' og ')} er på vej: Teams bad mig "
        "vente lidt, så den sendes om lidt. Kommer den ikke frem, giver jeg dig besked."
    )


def not_delivered(*, invitation: bool, navn: str, reason: FailureReason) -> str:
    """An invitation or reminder that was on its way has finally failed."""
    what = "Invitationen" if invitation else "Påmindelsen"
    tekst = (
        f"{what} til {navn} kom alligevel ikke frem: {unreachable_line(navn=navn, reason=reason)}."
    )
    return f"{tekst} {NEEDS_A_CHAT_HELP}" if reason in _NEEDS_A_CHAT else tekst


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
    unassigned: Sequence[str] = (),
) -> str:
    """The coordinator's summary on a reminder date: what is missing and who is late.

    area_lines are the areas whose systemejere were reminded; unassigned areas have nobody
    to remind and are named apart, with what to do about them.
    """
    parts = [
        f"**Status på kortlægningen** – slutdatoen er {dato(slutdato)} ({naar(dage=dage)}).",
        f"{indsendt} af {_antal(fagomraader, 'fagområde', 'fagområder')} er indsendt, og "
        f"{procent} % af it-systemerne er besvaret."
        + (
            " Disse fagområder mangler, og deres systemejere har fået en påmindelse:\n"
            + "\n".join(area_lines)
            if area_lines
            else ""
        ),
    ]
    if unassigned:
        parts.append(reminder_unassigned(fagomraader=unassigned))
    if at_risk:
        tilbage = (
            f"der er {_antal(arbejdsdage, 'arbejdsdag', 'arbejdsdage')} tilbage"
            if arbejdsdage > 0
            else "i dag er slutdatoen"
        )
        parts.append(
            f"**Slutdatoen er i fare:** {tilbage}. Hvis I ikke når at blive færdige, skal "
            "KOMBIT have besked om, hvornår I forventer at være færdige – skriv til "
            f"{kombit_email}, som opgaven i KLIK beder om."
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
    unassigned: Sequence[str] = (),
) -> str:
    """The coordinator's working-day reminder after slutdato, until all is submitted."""
    parts = [
        f"**Slutdatoen {dato(slutdato)} er overskredet.** {indsendt} af "
        f"{_antal(fagomraader, 'fagområde', 'fagområder')} er indsendt."
        + (" Disse mangler stadig:\n" + "\n".join(area_lines) if area_lines else ""),
    ]
    if unassigned:
        parts.append(reminder_unassigned(fagomraader=unassigned))
    parts.append(
        "KOMBIT skal have besked om, hvornår I forventer at være færdige. Har I ikke "
        f"allerede skrevet det, så send en mail til {kombit_email}. Jeg minder dig om det "
        "hver arbejdsdag, indtil alle fagområder er indsendt."
    )
    if unreachable:
        parts.append(unreachable_summary(lines=unreachable))
    return "\n\n".join(parts)


# --- Forslag fra sidste runde og KITOS: koordinatorens side (opsæt, forslag, tildel, status) ---
# The systemejer's side of suggestions (system cards, "Bekræft alle") has its own block.

_KILDE_LABELS: dict[str, str] = {"sidste_runde": "sidste runde", "kitos": "KITOS"}


def kilde_label(kilde: str) -> str:
    """Where a suggestion comes from, as the coordinator reads it: sidste runde, KITOS."""
    return _KILDE_LABELS.get(str(kilde), str(kilde))


OPSAET_NY_RUNDE = (
    "Bilag 1 er sendt til KOMBIT, så en ny opsætning begynder **en ny runde**: svar, "
    "tilføjede systemer, indsendelser og tildelinger fra sidste runde ryddes (det sendte "
    "Bilag 1 ligger stadig i **historik**), og du kan bruge sidste rundes svar som forslag. "
    "Vil du sætte en ny runde op? Svar **ja** eller **nej**."
)


def opsaet_ny_runde_done(*, tildelinger: int) -> str:
    """Said after opsæt began a new round."""
    return "Det er en ny runde: sidste rundes svar, indsendelser og tildelinger er ryddet." + (
        f" Sidste rundes {_antal(tildelinger, 'systemejer', 'systemejere')} foreslås "
        "igen på **tildel**, hvis du bruger sidste rundes svar som forslag."
        if tildelinger
        else ""
    )


OPSAET_FORSLAG_KEPT = (
    "Forslagene til svarene er bevaret. Skriv **forslag** for at se dem eller hente nye."
)
FORSLAG_KILDE_TITLE = "Forslag til svarene"
FORSLAG_KILDE_INTRO = (
    "Jeg kan give systemejerne forslag til svarene – fra sidste runde eller fra KITOS – så et "
    "uændret fagområde kan bekræftes med få tryk. Et forslag er aldrig et svar: systemejeren "
    "bekræfter hvert ét selv, og du ser forslagene først."
)


def forslag_sidste_runde_arkiv(*, version: int, sendt: str | None) -> str:
    """The archived workbook the first choice uses."""
    when = f", sendt til KOMBIT {sendt}" if sendt else ""
    return f"Sidste runde: Bilag 1 version {version}{when}."


FORSLAG_SIDSTE_RUNDE = "Brug sidste rundes svar som forslag"
FORSLAG_UPLOAD_BILAG1 = "Upload sidste rundes Bilag 1"
FORSLAG_UPLOAD_KITOS = "Upload KITOS-eksport"
FORSLAG_HENT_KITOS = "Hent fra KITOS"
FORSLAG_INGEN = "Ingen forslag"
FORSLAG_ASK = (
    "Vælg på kortet «Forslag til svarene», send en fil her i chatten (sidste rundes udfyldte "
    "Bilag 1 eller KITOS' eksport), eller skriv **ingen**."
)
FORSLAG_SEND_BILAG1 = (
    "Send sidste rundes udfyldte Bilag 1 (.xlsx) her i chatten – den fil, kommunen sendte til "
    "KOMBIT."
)
FORSLAG_SEND_KITOS = (
    "Eksportér fra KITOS: **IT Systemer → Overblik → Eksportér** (gerne med alle kolonner, så "
    "*Livscyklus* og *Systemejer* kommer med), og send filen her i chatten."
)
FORSLAG_NO_LAST_ROUND = (
    "Der er ikke sendt et Bilag 1 til KOMBIT fra botten endnu, så der er ingen sidste runde i "
    "arkivet. Send sidste rundes udfyldte Bilag 1 her i chatten i stedet."
)
FORSLAG_NO_KITOS = (
    "Botten er ikke sat op til at læse KITOS (KITOS_URL og KITOS_TOKEN). Upload KITOS' "
    "eksport i stedet, eller bed IT-driften sætte adgangen op."
)
FORSLAG_INGEN_DONE = (
    "Fint – ingen forslag. Systemejerne svarer på alle systemer selv. Skriv **forslag**, hvis "
    "du vil hente forslag senere. Næste skridt: **tildel** fagområderne, og skriv **start**."
)
FORSLAG_KITOS_FETCHING = "Jeg henter kommunens it-systemer fra KITOS …"


def forslag_kilde_used(*, valg: str) -> str:
    """The source card once answered, without buttons."""
    return f"✓ {valg}"


def forslag_loaded(*, kilde: str, systemer: int, usikre: int, tilfoejelser: int) -> str:
    tekst = (
        f"Forslagene fra {kilde_label(kilde)} er indlæst: "
        f"{_antal(systemer, 'system har', 'systemer har')} et forslag"
    )
    if usikre:
        tekst += f", og {_antal(usikre, 'match er usikkert', 'match er usikre')}"
    if tilfoejelser:
        tekst += f"; {_antal(tilfoejelser, 'system', 'systemer')} kan tilbydes som tilføjelse"
    return (
        tekst + ". Tjek dem på kortet nedenfor – ingen ser et usikkert forslag, før du har "
        "godkendt det."
    )


def forslag_kitos_columns_missing(*, livscyklus: bool, systemejer: bool) -> str:
    """The export lacked the columns that suggest answers or owners."""
    mangler = []
    if not livscyklus:
        mangler.append("«Livscyklus» (uden den foreslås ingen svar)")
    if not systemejer:
        mangler.append("«Systemejer» (uden den foreslås ingen systemejere)")
    return (
        "KITOS-eksporten mangler kolonnen "
        + " og ".join(mangler)
        + ". Vis kolonnen i KITOS' overblik, eksportér igen, og send filen – eller brug "
        "forslagene, som de er."
    )


def kitos_export_error(err: KitosExportError) -> str:
    """Why an uploaded file is not a KITOS export the bot can read."""
    where = f'Filen "{err.filename}"'
    match err.kind:
        case KitosExportErrorKind.NOT_XLSX:
            return f"{where} er ikke en Excel-fil (.xlsx). Eksportér igen fra KITOS' overblik."
        case KitosExportErrorKind.LEGACY_XLS:
            return f"{where} er en gammel Excel-fil (.xls). Gem den som .xlsx og prøv igen."
        case KitosExportErrorKind.ENCRYPTED:
            return f"{where} er beskyttet med adgangskode. Fjern den i Excel, og prøv igen."
        case KitosExportErrorKind.TOO_LARGE:
            return f"{where} er for stor (over {_megabytes(err.limit)}). Er det den rigtige fil?"
        case KitosExportErrorKind.TOO_MANY_ROWS:
            return f"{where} har for mange rækker til at være KITOS' overblik over it-systemer."
        case KitosExportErrorKind.NO_HEADER:
            return (
                f"{where} ligner ikke KITOS' eksport: jeg fandt ingen kolonne «IT System» i de "
                "første 30 rækker. Eksportér fra **IT Systemer → Overblik → Eksportér**."
            )
        case KitosExportErrorKind.NO_SYSTEMS:
            return f"{where} har kolonnen «IT System», men ingen systemer under den."
        case _:
            assert_never(err.kind)


def kitos_error(err: KitosError, *, kommune: str) -> str:
    """Why KITOS' API could not be read, and what the coordinator can do instead."""
    instead = " Du kan også uploade KITOS' eksport i stedet."
    match err.kind:
        case KitosErrorKind.UNAUTHORIZED:
            return (
                "KITOS afviste bottens adgang (401): KITOS_TOKEN er forkert eller udløbet – en "
                "token fra KITOS gælder kun 24 timer. Bed IT-driften om en ny token til "
                "KITOS' API-bruger." + instead
            )
        case KitosErrorKind.FORBIDDEN:
            return (
                "KITOS' API-bruger må ikke læse kommunens it-systemer (403). Bed kommunens "
                "lokale KITOS-administrator give API-brugeren læseadgang." + instead
            )
        case KitosErrorKind.NO_ORGANISATION:
            return (
                f"Jeg kunne ikke finde {kommune} blandt de organisationer, KITOS' API-bruger "
                "er medlem af. Bed KITOS-administratoren gøre API-brugeren til medlem af "
                "kommunens organisation." + instead
            )
        case KitosErrorKind.UNAVAILABLE:
            if err.retry_after:
                return (
                    "KITOS har for travlt og bad mig vente "
                    f"{_antal(round(err.retry_after), 'sekund', 'sekunder')} (429). Prøv igen "
                    "om lidt." + instead
                )
            return "KITOS svarer ikke lige nu. Prøv igen om lidt." + instead
        case KitosErrorKind.BAD_RESPONSE:
            return "KITOS svarede med noget, jeg ikke kunne læse. Prøv igen senere." + instead
        case _:
            assert_never(err.kind)


# The review card: what the suggestions hold, per fagområde, before anyone sees them.
FORSLAG_CARD_TITLE = "Forslag til svarene"
FORSLAG_CARD_NOTE = (
    "Et forslag er ikke et svar: hver systemejer ser forslaget på systemets kort og bekræfter "
    "det selv med et tryk. Et usikkert match vises ikke for nogen, før du har godkendt det."
)
FORSLAG_NONE = (
    "Der er ingen forslag. Skriv **forslag** for at hente dem fra sidste runde eller KITOS."
)
FORSLAG_USIKRE_HEADING = "Usikre match – er det samme system?"
FORSLAG_SAMME = "Samme system"
FORSLAG_IKKE_SAMME = "Ikke samme"
FORSLAG_TILFOEJELSER_HEADING = "Ikke på listen – tilbyd som tilføjet system?"
FORSLAG_TILBYD = "Tilbyd"
FORSLAG_AFVIS = "Afvis"
FORSLAG_OMRAADE_LABEL = "Fagområde"
FORSLAG_VAELG_OMRAADE = (
    "Vælg fagområdet, systemet skal tilbydes i, og tryk **Tilbyd** igen – eller **Afvis**."
)
FORSLAG_ACCEPTERET = "✓ godkendt"
FORSLAG_AFVIST = "✗ afvist"
FORSLAG_STALE = "Det forslag findes ikke længere – her er forslagene, som de er nu:"
FORSLAG_MORE_SOURCES = (
    "Skriv **forslag** for at hente flere forslag (sidste runde eller KITOS). Næste skridt: "
    "**tildel** – de foreslåede systemejere kan tildeles med ét tryk."
)


def forslag_area_line(
    *, fagomraade: str, med_forslag: int, usikre: int, tilfoejelser: int, ejere: Sequence[str]
) -> str:
    """One fagområde on the review card."""
    parts = [f"**{fagomraade}**: {_antal(med_forslag, 'forslag', 'forslag')}"]
    if usikre:
        parts.append(_antal(usikre, "usikkert match", "usikre match"))
    if tilfoejelser:
        parts.append(_antal(tilfoejelser, "tilføjelse", "tilføjelser"))
    if ejere:
        parts.append("systemejer: " + ", ".join(ejere))
    return " · ".join(parts)


def forslag_usikkert(
    *, system: str, kilde_navn: str, kilde: str, anvendelse: Anvendelse | None, fagomraade: str
) -> str:
    svar = f" ({anvendelse_label(anvendelse)})" if anvendelse else ""
    return f"**{system}** ({fagomraade}) = «{kilde_navn}» fra {kilde_label(kilde)}{svar}?"


def forslag_tilfoejelse(
    *, navn: str, leverandoer: str | None, kilde: str, anvendelse: Anvendelse | None
) -> str:
    hvem = f" ({leverandoer})" if leverandoer else ""
    svar = f": {anvendelse_label(anvendelse)}" if anvendelse else ""
    return f"**{navn}**{hvem} – {kilde_label(kilde)}{svar}"


def forslag_tilfoejelse_i(*, fagomraader: Sequence[str]) -> str:
    return "Tilbydes i " + ", ".join(fagomraader)


def forslag_decided(*, text: str, accepteret: bool) -> str:
    return f"{text} – {FORSLAG_ACCEPTERET if accepteret else FORSLAG_AFVIST}"


def forslag_udgaaede(*, fagomraade: str, navne: Sequence[str]) -> str:
    return f"Ikke længere på KOMBITs liste i **{fagomraade}**: " + ", ".join(navne)


def forslag_flere(*, antal: int) -> str:
    return f"… og {_antal(antal, 'mere', 'flere')}, som kommer frem, når du har afgjort disse."


def forslag_afgjorte(*, antal: int) -> str:
    return f"… og {_antal(antal, 'afgjort', 'afgjorte')} til."


def forslag_ejer(*, navn: str, email: str | None, systemer: int, kilde: str | None) -> str:
    """A suggested systemejer, on the review card and the tildel overview."""
    hvor = f"{kilde_label(kilde)}, " if kilde else ""
    mail = f" ({email})" if email else ""
    return f"{navn}{mail} – {hvor}{_antal(systemer, 'system', 'systemer')}"


# tildel: the suggested owners, one press to accept them all.
TILDEL_FORSLAG = "Foreslåede systemejere (fagområder uden systemejer)"
TILDEL_ACCEPT_SUGGESTED = "Tildel de foreslåede"


def kilde_person(*, navn: str, email: str | None) -> str:
    """A suggested person as the source names them."""
    return f"{navn} ({email})" if email else navn


def tildel_suggested_line(*, fagomraade: str, navne: Sequence[str]) -> str:
    return f"**{fagomraade}** → " + ", ".join(navne)


def tildel_suggested_done(
    *, tildelt: Sequence[tuple[str, str]], ikke_fundet: Sequence[str], inviteret: bool
) -> str:
    """What pressing "Tildel de foreslåede" did."""
    if not tildelt and not ikke_fundet:
        return "Der er ingen foreslåede systemejere til fagområder, der mangler en."
    parts = []
    if tildelt:
        parts.append(
            f"✓ {_antal(len(tildelt), 'fagområde er', 'fagområder er')} tildelt: "
            + "; ".join(f"**{area}** → {navn}" for area, navn in tildelt)
            + ("." + (" Invitationerne er sendt." if inviteret else ""))
        )
    if ikke_fundet:
        parts.append(
            "Disse kunne jeg ikke finde i Teams, så deres fagområder er ikke tildelt – brug "
            "**tildel <fagområde> <e-mail>**: " + ", ".join(ikke_fundet)
        )
    return "\n\n".join(parts)


# status: how many answers were confirmed suggestions, and how many were changed.
def status_forslag(*, bekraeftet: int, aendret: int) -> str:
    return f"forslag: {bekraeftet} bekræftet, {aendret} ændret"
