"""Reading spreadsheets without a database: both encodings, both delimiters, .xlsx, headers in Dutch or English."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from swarm.services.exchange.columns import (
    PROFESSIONALS,
    CellProblem,
    match_headers,
    needs,
    skill_levels,
    whole_number,
    yes_no,
)
from swarm.services.exchange.tables import FileProblem, Sheet, read_table, write_csv, write_xlsx

DUTCH = "Naam;E-mailadres;KvK-nummer;Woonplaats;Competenties\r\nJoëlle Bakker;joelle@example.nl;12345678;Ulft;participatie:2\r\n"


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_utf8_csv_with_semicolons_and_a_byte_order_mark_is_read():
    table = read_table(DUTCH.encode("utf-8-sig"))
    assert (table.encoding, table.delimiter) == ("utf-8", ";")
    assert table.header[0] == "Naam"  # the byte-order mark is not part of the first header
    assert table.rows[0].cells[0] == "Joëlle Bakker"
    assert table.rows[0].line == 2


def test_the_windows_1252_that_excel_writes_is_read_with_its_accents():
    table = read_table(DUTCH.encode("cp1252"))
    assert table.encoding == "cp1252"
    assert table.rows[0].cells[0] == "Joëlle Bakker"


def test_a_comma_separated_file_with_quoted_commas_is_read():
    text = 'Name,Email,Skills\n"Bakker, J.",j@example.nl,"participatie:2, omgevingsrecht:1"\n'
    table = read_table(text.encode())
    assert table.delimiter == ","
    assert table.rows[0].cells == ("Bakker, J.", "j@example.nl", "participatie:2, omgevingsrecht:1")


def test_lines_are_counted_in_the_file_also_past_blank_lines_and_multi_line_cells():
    text = 'Naam;Toelichting\n\nAnna;"twee\nregels"\nBram;kort\n'
    table = read_table(text.encode())
    assert [(row.line, row.cells[0]) for row in table.rows] == [(3, "Anna"), (5, "Bram")]


def test_an_xlsx_workbook_is_read_with_numbers_as_people_see_them():
    data = xlsx(
        [
            ["Naam", "KvK-nummer", "Uurtarief"],
            ["Anna", 12345678, 95.0],
            [None, None, None],
            ["Bram", 87654321, 80],
        ]
    )
    table = read_table(data)
    assert table.file_format == "xlsx"
    assert [row.cells for row in table.rows] == [("Anna", "12345678", "95"), ("Bram", "87654321", "80")]
    assert [row.line for row in table.rows] == [2, 4]


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n", b"\x00\x01binary\x00", b"PK\x03\x04not a workbook", b"\xd0\xcf\x11\xe0old xls"],
)
def test_what_is_no_table_is_refused_with_a_message(data):
    with pytest.raises(FileProblem):
        read_table(data)


def test_headers_are_recognised_in_dutch_or_english_in_any_order_and_spelling():
    match = match_headers(
        ["E-mail address", "WOONPLAATS", "naam", "KvK nummer", "Favoriete kleur"], PROFESSIONALS
    )
    assert dict(match.fields) == {0: "email", 1: "place", 2: "name", 3: "kvk_number"}
    assert match.unknown == ("Favoriete kleur",)
    assert match.missing == ()


def test_an_unknown_header_can_be_mapped_to_a_field_once_or_ignored():
    match = match_headers(["Volledige naam", "Mail", "KvK", "Dorp"], PROFESSIONALS, {"Dorp": "place"})
    assert match.fields[3] == "place" and match.unknown == ()
    ignored = match_headers(["Naam", "Mail", "KvK", "Woonplaats", "Kleur"], PROFESSIONALS, {"Kleur": ""})
    assert ignored.unknown == ()


def test_a_missing_required_column_is_named_and_a_field_twice_is_refused():
    assert match_headers(["Naam", "E-mail"], PROFESSIONALS).missing == ("kvk_number", "place")
    with pytest.raises(FileProblem, match="both hold"):
        match_headers(["Naam", "Name", "E-mail", "KvK", "Plaats"], PROFESSIONALS)


def test_cells_are_converted_the_way_people_write_them():
    assert whole_number("€ 95") == 95 and whole_number("40,0") == 40 and whole_number("") is None
    assert yes_no("Ja") is True and yes_no("no") is False
    assert skill_levels("participatie:2; Omgevingsrecht") == (("participatie", 2), ("Omgevingsrecht", 1))
    assert needs("participatie:2:3, projectleiding") == (("participatie", 2, 3), ("projectleiding", 1, 1))
    for convert, text in (
        (whole_number, "veertig"),
        (yes_no, "misschien"),
        (skill_levels, "a:b"),
    ):
        with pytest.raises(CellProblem):
            convert(text)


def test_a_written_csv_reads_back_the_same_and_never_starts_a_formula():
    header = ["Naam", "Toelichting"]
    rows = [['=HYPERLINK("x")', 'Zegt; "hallo"\nen meer'], ["Anna", "-"]]
    table = read_table(write_csv(header, rows))
    assert [row.cells for row in table.rows] == [tuple(row) for row in rows]
    assert write_csv(header, rows).startswith(b"\xef\xbb\xbfNaam;Toelichting")
    assert b"'=HYPERLINK" in write_csv(header, rows)


def test_a_written_workbook_has_a_sheet_per_part_and_reads_back():
    data = write_xlsx(
        [Sheet("Sessies", ["Naam", "Aantal"], [["Ulft", 3]]), Sheet("Deelnemers", ["Naam"], [["Anna"]])]
    )
    assert load_workbook(io.BytesIO(data)).sheetnames == ["Sessies", "Deelnemers"]
    assert read_table(data).rows[0].cells == ("Ulft", "3")
