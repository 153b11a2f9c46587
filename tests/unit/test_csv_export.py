"""The pure CSV writer of the exports: BOM, header, CRLF, quoting, and formula cells neutralised."""

from __future__ import annotations

import csv
import io

import pytest

from app.services.exports import BOM, csv_text, neutralise


@pytest.mark.parametrize("value", ["=1+1", "+31 6 1234", "-2", "@SUM(A1)", "\tx", "\rx", "\0x",
                                   '=HYPERLINK("http://evil.example","click")'])
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value, expected", [("Anna", "Anna"), ("a=b", "a=b"), ("", ""), (None, ""),
                                             (75.5, "75.5"), (0, "0"), ("Kovács Éva", "Kovács Éva")])
def test_ordinary_cells_are_left_alone(value, expected):
    assert neutralise(value) == expected


def test_the_file_starts_with_a_bom_and_a_header_and_ends_lines_with_crlf():
    text = csv_text(["student", "score"], [["Anna", "75.0"], ["Bela", ""]])
    assert text == BOM + "student,score\r\nAnna,75.0\r\nBela,\r\n"


def test_commas_quotes_and_newlines_are_quoted_and_read_back_unchanged():
    rows = [['Smith, "Jr"', "line one\nline two"]]
    text = csv_text(["name", "note"], rows)
    assert list(csv.reader(io.StringIO(text[1:]))) == [["name", "note"], *rows]


def test_a_formula_name_reads_back_as_text_with_its_apostrophe():
    text = csv_text(["name"], [["=cmd|' /C calc'!A0"]])
    assert list(csv.reader(io.StringIO(text[1:])))[1] == ["'=cmd|' /C calc'!A0"]


def test_header_cells_are_neutralised_too():
    assert csv_text(["-score"], []) == BOM + "'-score\r\n"
