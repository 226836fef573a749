"""A confirmed Bilag 1 mapping as JSON, the way it is stored with the kortlægning.

Pure: stdlib and the layout types. {"<sheet>": {"header_row": 4, "roles": {"system": 2, ...}}}
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from storage.bilag1.columns import Role
from storage.bilag1.layout import SheetMapping


def mapping_to_json(mapping: Mapping[str, SheetMapping]) -> str:
    """The mapping as a JSON text, sheets in workbook order."""
    return json.dumps(
        {
            sheet: {
                "header_row": sheet_mapping.header_row,
                "roles": {role.value: column for role, column in sheet_mapping.roles.items()},
            }
            for sheet, sheet_mapping in mapping.items()
        },
        ensure_ascii=False,
    )


def mapping_from_json(text: str | None) -> dict[str, SheetMapping] | None:
    """The mapping stored by mapping_to_json; None when nothing was confirmed."""
    if not text:
        return None
    document = json.loads(text)
    return {
        sheet: SheetMapping(
            header_row=int(entry["header_row"]),
            roles={Role(role): int(column) for role, column in entry["roles"].items()},
        )
        for sheet, entry in document.items()
    }
