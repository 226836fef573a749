"""What is wrong with an uploaded .xlsx before openpyxl reads it: size, zip bomb, .xls, password.

Shared by the Bilag 1 reader and the KITOS export reader; each maps the answer to its own error.
Stdlib only.
"""

from __future__ import annotations

import io
import zipfile
from enum import StrEnum

# A real workbook's XML unpacks to a few times its size; a zip bomb to thousands of times.
# zipfile stops each member at its declared size, so the sum of declared sizes is a true bound.
_MAX_UNPACK_RATIO = 20

# Both a legacy .xls and a password-protected .xlsx are OLE compound files. Encryption wraps the
# real .xlsx in a stream named "EncryptedPackage" (MS-OFFCRYPTO §2.3.4.4); directory entry names
# are UTF-16LE, so finding that name tells the two apart without parsing the whole container.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


class ContainerProblem(StrEnum):
    """Values equal the readers' own error kinds of the same name."""

    TOO_LARGE = "too_large"
    LEGACY_XLS = "legacy_xls"
    ENCRYPTED = "encrypted"
    NOT_XLSX = "not_xlsx"


def container_problem(data: bytes, *, max_bytes: int) -> ContainerProblem | None:
    """Why these bytes are no .xlsx we may open, or None when they are one."""
    if len(data) > max_bytes:
        return ContainerProblem.TOO_LARGE
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_PACKAGE in data:
            return ContainerProblem.ENCRYPTED
        return ContainerProblem.LEGACY_XLS
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        return ContainerProblem.NOT_XLSX
    if not any(member.filename == "[Content_Types].xml" for member in members):
        return ContainerProblem.NOT_XLSX
    if sum(member.file_size for member in members) > max_bytes * _MAX_UNPACK_RATIO:
        return ContainerProblem.TOO_LARGE
    return None
