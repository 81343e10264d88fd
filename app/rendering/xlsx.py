"""Spreadsheets: tables written as an `.xlsx` workbook with openpyxl, as an office files them.

A `Table` is a title block (the office, the document, the period), one header row and the
rows, with an optional total row. Each becomes one worksheet where

- numbers are numbers (a `Decimal`, `int` or `float` cell is stored as a number, never as
  text), shown with the column's number format: Excel draws "#,##0.00" with the reader's
  separators, so an Indonesian Excel shows "1.402,90";
- every column has its width; long text wraps; the header is bold on a grey ground;
- the header row repeats on every printed page (print titles) and stays in view while
  scrolling (frozen panes); the page is A4, fitted to one page wide.

Generic on purpose: it knows nothing of indicators. `services.spreadsheets` builds the
worksheet and recap tables; any other table (an analytics export) can be written the same way.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Number formats. Excel stores them with "." and ","; the reader's Excel shows its locale's.
INTEGER = "#,##0"
DECIMAL = "#,##0.####"  # up to the four decimals a value may have
DECIMAL_2 = "#,##0.00"
PERCENT = "0.00%"  # of a fraction: 0.9125 is shown "91,25%"

HEADER_FILL = PatternFill("solid", start_color="E4E9EF")
TOTAL_FILL = PatternFill("solid", start_color="F1F3F6")
THIN = Side(style="thin", color="333333")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# Excel's own limit on a sheet's name, and the characters it refuses in one.
SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = str.maketrans({c: "-" for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Column:
    """A column: its header, its width (in characters) and the number format of its cells
    (None for text)."""

    title: str
    width: float
    number_format: str | None = None


@dataclass(frozen=True)
class Table:
    """One worksheet's table: the sheet name, the title block's lines (the first in bold),
    the columns, the rows and an optional total row (bold)."""

    sheet_name: str
    title_lines: Sequence[str]
    columns: Sequence[Column]
    rows: Sequence[Sequence[object]]
    total: Sequence[object] | None = None
    notes: Sequence[str] = field(default_factory=tuple)  # lines under the table


def _cell_value(value: object) -> object:
    # openpyxl writes Decimal as a number; a bool or anything else unknown is written as text.
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if value is None or isinstance(value, (int, float, Decimal, str)):
        return value
    return str(value)


def _write_row(sheet, row_no: int, values: Sequence[object], columns: Sequence[Column], **style):
    for col_no, (value, column) in enumerate(zip(values, columns, strict=False), start=1):
        cell = sheet.cell(row=row_no, column=col_no, value=_cell_value(value))
        cell.border = BOX
        numeric = isinstance(cell.value, (int, float, Decimal))
        if numeric and column.number_format:
            cell.number_format = column.number_format
        cell.alignment = Alignment(
            vertical="top", wrap_text=not numeric, horizontal="right" if numeric else None
        )
        for name, value_ in style.items():
            setattr(cell, name, value_)


def _write_table(sheet, table: Table) -> None:
    width = len(table.columns)
    for row_no, line in enumerate(table.title_lines, start=1):
        cell = sheet.cell(row=row_no, column=1, value=line)
        cell.font = Font(bold=True, size=13 if row_no == 1 else 11)
        cell.alignment = Alignment(horizontal="center")
        sheet.merge_cells(start_row=row_no, start_column=1, end_row=row_no, end_column=width)
    # One blank row under the title block; a table without one (a data export) starts at row 1.
    header_row = len(table.title_lines) + 2 if table.title_lines else 1
    for col_no, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=header_row, column=col_no, value=column.title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(col_no)].width = column.width
    row_no = header_row
    for values in table.rows:
        row_no += 1
        _write_row(sheet, row_no, values, table.columns)
    if table.total is not None:
        row_no += 1
        _write_row(sheet, row_no, table.total, table.columns, font=Font(bold=True), fill=TOTAL_FILL)
    for line in table.notes:
        row_no += 1
        sheet.cell(row=row_no + 1, column=1, value=line).font = Font(italic=True, size=9)
    last = get_column_letter(width)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_area = f"A1:{last}{max(row_no, header_row) + 1}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if width > 7 else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True


def sheet_name(text: str) -> str:
    """Make `text` a name Excel accepts for a sheet: no []:*?/\\, at most 31 characters."""
    name = text.translate(SHEET_NAME_FORBIDDEN).strip("'") or "Lembar"
    return name[:SHEET_NAME_MAX]


def workbook_bytes(tables: Sequence[Table], *, title: str, creator: str) -> bytes:
    """Write `tables` as the worksheets of one `.xlsx` workbook, in order, and answer its
    bytes; `title` and `creator` go in the file's properties."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables:
        name, n = sheet_name(table.sheet_name), 1
        while name.lower() in used:  # Excel refuses two sheets of one name, whatever the case
            n += 1
            name = f"{sheet_name(table.sheet_name)[: SHEET_NAME_MAX - 4]} ({n})"
        used.add(name.lower())
        _write_table(book.create_sheet(name), table)
    book.properties.title = title
    book.properties.creator = creator
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
