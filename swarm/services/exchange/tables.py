"""Reading and writing spreadsheets: CSV (UTF-8 or Windows-1252, ``;`` or ``,``) and Excel ``.xlsx`` (openpyxl).

Pure code, no database: a file's bytes become a :class:`Table` (its header and its rows, each with the line it
stands on in the file), and rows become the bytes of a CSV or an ``.xlsx`` file. What kind of file it is comes
from its content, never from its name: an ``.xlsx`` is a zip archive with a workbook inside, anything else must
be text.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from swarm.domain.errors import N_

MAX_ROWS = 50_000  # a region's professionals fit many times over; more is a wrong file, not an import
MAX_COLUMNS = 60
DELIMITERS = (";", ",")
_FORMULA_STARTS = ("=", "+", "-", "@")


class FileProblem(ValueError):
    """A file that cannot be read as a table. ``message`` is English with ``%(name)s`` placeholders (translated
    at the edge), ``params`` fills them."""

    def __init__(self, message: str, **params: object):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = {key: str(value) for key, value in params.items()}


@dataclass(frozen=True)
class Row:
    line: int  # where the row starts in the file, the header being line 1 (a spreadsheet's row number)
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    file_format: str  # "csv" or "xlsx"
    encoding: str = ""  # CSV: utf-8 or cp1252
    delimiter: str = ""  # CSV: ";" or ","


def is_xlsx(data: bytes) -> bool:
    """An Office Open XML workbook: a zip archive holding ``xl/workbook.xml``."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def decode_text(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (with or without the byte-order mark Excel writes), else Windows-1252
    (what Excel writes for "CSV (gescheiden door lijstscheidingsteken)"). Binary data is refused."""
    if b"\x00" in data:
        raise FileProblem(N_("This is not a CSV or Excel (.xlsx) file."))
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise FileProblem(N_("This is not a CSV or Excel (.xlsx) file.")) from None


def sniff_delimiter(text: str) -> str:
    """``;`` or ``,``: whichever the header line holds more of (outside quotes); a one-column file reads either."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in first:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    return ";" if counts[";"] > counts[","] else ","


def read_table(data: bytes) -> Table:
    """The table in ``data``: an ``.xlsx`` workbook's first sheet, or CSV text."""
    if not data.strip():
        raise FileProblem(N_("The file is empty."))
    if is_xlsx(data):
        return _read_xlsx(data)
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        # another zip (e.g. .docx, .ods) or the old binary .xls
        raise FileProblem(
            N_("This is not a CSV or Excel (.xlsx) file. Save it as .xlsx or CSV and try again.")
        )
    text, encoding = decode_text(data)
    delimiter = sniff_delimiter(text)
    return _table(_csv_rows(text, delimiter), "csv", encoding=encoding, delimiter=delimiter)


def _csv_rows(text: str, delimiter: str) -> Iterable[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as problem:
        raise FileProblem(
            N_("Line %(line)s cannot be read: %(problem)s"), line=start, problem=problem
        ) from None


def _read_xlsx(data: bytes) -> Table:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise FileProblem(
            N_("This Excel file cannot be read. Save it again as .xlsx and try again.")
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = (
            (number, [cell_text(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
        return _table(rows, "xlsx")
    finally:
        workbook.close()


def _table(rows: Iterable[tuple[int, list[str]]], file_format: str, **details: str) -> Table:
    header: tuple[str, ...] | None = None
    body: list[Row] = []
    for line, cells in rows:
        cleaned = [_unquoted(cell.strip()) for cell in cells]
        if not any(cleaned):
            continue  # blank lines (and Excel's formatted but empty rows) are no rows
        if header is None:
            while cleaned and not cleaned[-1]:
                cleaned.pop()
            if len(cleaned) > MAX_COLUMNS:
                raise FileProblem(N_("The file has more than %(count)s columns."), count=MAX_COLUMNS)
            header = tuple(cleaned)
            continue
        if len(body) >= MAX_ROWS:
            raise FileProblem(N_("The file has more than %(count)s rows; split it up."), count=MAX_ROWS)
        body.append(Row(line, tuple(cleaned)))
    if header is None:
        raise FileProblem(N_("The file is empty."))
    return Table(header=header, rows=tuple(body), file_format=file_format, **details)


def _unquoted(cell: str) -> str:
    """Undo :func:`_safe_text`'s leading quote, so that an exported file reads back as it was."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in _FORMULA_STARTS else cell


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a person sees: whole numbers without ``.0``, dates as ``2027-01-12``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != time() else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# -- writing ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    name: str  # at most 31 characters (Excel's limit)
    header: Sequence[str]
    rows: Iterable[Sequence[object]]


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a byte-order mark and ``;`` between cells: what Dutch Excel opens with the accents intact."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else _safe_text(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one sheet per :class:`Sheet`, the header row in bold and frozen."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.name[:31])
        worksheet.freeze_panes = "A2"
        worksheet.append(list(sheet.header))
        for row in sheet.rows:
            worksheet.append([_safe_text(value) if isinstance(value, str) else value for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _safe_text(value: object) -> object:
    """Text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first) gets a leading quote,
    so an exported name can never become a formula (CSV injection); numbers stay numbers."""
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS:
        return "'" + value
    return value
