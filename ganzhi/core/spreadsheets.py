"""Reading the CSV and .xlsx files property companies and survey tools export.

Rows come back as lists of cell values with the header row separate; cells
are ``str``, ``int``, ``float``, ``datetime`` or ``None``. CSV is tried as
UTF-8 (with or without BOM) and then GB18030, the encodings Chinese Excel writes.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

from ganzhi.core.errors import DomainError

SUPPORTED_SUFFIXES = (".csv", ".xlsx")


@dataclass
class Sheet:
    header: list[str]
    rows: list[list[Any]]
    first_row_number: int  # the spreadsheet row number (1-based) of rows[0]

    def numbered_rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(spreadsheet row number, cells) for each non-blank data row."""
        for offset, row in enumerate(self.rows):
            if not all(is_blank(cell) for cell in row):
                yield self.first_row_number + offset, row


def read_sheet(source: Path | str | BinaryIO, *, original_name: str | None = None) -> Sheet:
    """The first sheet of a .csv or .xlsx file, given as a path or an open binary file."""
    name = (original_name or str(getattr(source, "name", source))).lower()
    if name.endswith(".csv"):
        if isinstance(source, (str, Path)):
            return _read_csv(Path(source).read_bytes())
        return _read_csv(source.read())
    if name.endswith(".xlsx"):
        return _read_xlsx(source)
    raise DomainError(
        "unsupported_file",
        _("Only .csv and .xlsx files can be imported."),
    )


def _read_csv(data: bytes) -> Sheet:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte sequence
        raise DomainError("bad_encoding", _("The file is neither UTF-8 nor GBK text."))
    rows = list(csv.reader(io.StringIO(text)))
    return _sheet_from_rows(iter(rows))


def _read_xlsx(source: Path | str | BinaryIO) -> Sheet:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise DomainError("bad_file", _("The file is not a readable .xlsx workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        return _sheet_from_rows(list(row) for row in sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def _sheet_from_rows(rows: Iterator[list[Any]]) -> Sheet:
    header: list[str] | None = None
    header_row_number = 0
    data: list[list[Any]] = []
    for number, row in enumerate(rows, start=1):
        if header is None:
            if all(is_blank(cell) for cell in row):
                continue
            header = [str(cell).strip() if cell is not None else "" for cell in row]
            header_row_number = number
            continue
        data.append(list(row))
    if header is None:
        raise DomainError("empty_file", _("The file is empty: no header row was found."))
    return Sheet(header=header, rows=data, first_row_number=header_row_number + 1)


def is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and cell.strip() == "")
