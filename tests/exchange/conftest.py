"""Helpers for the import and export tests: files written the way people and Excel write them."""

from __future__ import annotations

import io

from openpyxl import Workbook


def csv_bytes(rows, *, delimiter: str = ";", encoding: str = "utf-8-sig") -> bytes:
    lines = [delimiter.join(_quoted(str(cell), delimiter) for cell in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _quoted(cell: str, delimiter: str) -> str:
    if delimiter in cell or '"' in cell or "\n" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
