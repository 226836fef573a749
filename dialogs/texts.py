"""Every Danish string a user sees. No other module under bot/ or dialogs/ holds Danish text.

Fixed texts are UPPER_CASE constants; texts with values are small keyword-only functions
that also do all number and date formatting.
"""

from __future__ import annotations

from typing import assert_never

from storage.bilag1.errors import Bilag1Error, Bilag1ErrorKind, MissingAnswers
from storage.domain.model import Anvendelse

ANVENDELSE_LABELS: dict[Anvendelse, str] = {
    Anvendelse.ANVENDER: "Anvender",
    Anvendelse.ANVENDER_IKKE: "Anvender ikke",
    Anvendelse.SEKUNDAER: "Sekundær anvendelse",
}


def anvendelse_label(anvendelse: Anvendelse | None) -> str:
    """The KOMBIT spelling of an answer, or a dash when there is none yet."""
    return ANVENDELSE_LABELS[anvendelse] if anvendelse else "–"


# --- Bilag 1 ---------------------------------------------------------------------------------
# Messages about a Bilag 1 workbook or an answers file, for the bot and the admin command line.


def _antal(count: int, ental: str, flertal: str) -> str:
    return f"{count:,}".replace(",", ".") + " " + (ental if count == 1 else flertal)


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
            return (
                f"{where} har ingen fagområder med it-systemer. Hvert fagområde skal have "
                'en tabel med overskrifterne "It-system" og "Anvendelse".'
            )
        case Bilag1ErrorKind.TOO_MANY_ROWS:
            limit = _antal(err.limit or 0, "udfyldt række", "udfyldte rækker")
            return f"{where} har over {limit}. Det er for mange til Bilag 1."
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
