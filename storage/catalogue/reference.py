"""The bundled reference Bilag 1: the default catalogue until KOMBIT's own file is uploaded.

Stdlib only (importlib.resources), so it works from an installed wheel as from a checkout.
"""

from __future__ import annotations

from importlib import resources

REFERENCE_BILAG1_FILENAME = "reference-bilag1.xlsx"
# The bundled list is a representative reconstruction, not KOMBIT's official list:
# wherever a user sees it, the app must say it is an example.
REFERENCE_BILAG1_IS_EXAMPLE = True


def load_reference_bilag1() -> bytes:
    """Return the bundled reference Bilag 1 workbook (.xlsx) as bytes."""
    return resources.files(__package__).joinpath(REFERENCE_BILAG1_FILENAME).read_bytes()
