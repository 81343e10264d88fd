"""The step table as a file: CSV (the API's field names as its header) and .xlsx (the same
table, plus the quarters and the lanes on sheets of their own)."""

import csv
import io
from collections.abc import Sequence

from app.rendering.xlsx import DECIMAL, INTEGER, MEDIA_TYPE, Column, Table, workbook_bytes
from app.services.analytics.figures import Analytics, Counts, RoleFigures, StepFigures

STEP_COLUMNS = (
    "step_no",
    "step_name",
    "actors",
    "tasks",
    "on_time",
    "late",
    "compliance",
    "median_working_minutes",
    "p90_working_minutes",
    "standard_minutes",
    "returns",
)
ROLE_COLUMNS = (
    "role",
    "role_name",
    "steps",
    "tasks",
    "on_time",
    "late",
    "compliance",
    "median_working_minutes",
    "p90_working_minutes",
    "returns",
)
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = MEDIA_TYPE
NUMBER_FORMATS = {"compliance": DECIMAL} | {
    name: INTEGER
    for name in ("tasks", "on_time", "late", "returns", "standard_minutes")
    + ("median_working_minutes", "p90_working_minutes", "step_no")
}


def _cell(row: Counts, name: str):
    value = getattr(row, name)
    if isinstance(value, tuple):
        return " ".join(str(item) for item in value)
    if name == "compliance" and value is not None:
        return float(value)
    return value


def step_rows(steps: Sequence[StepFigures]) -> list[list]:
    """The step table's rows, in STEP_COLUMNS order (None where there is no figure)."""
    return [[_cell(step, name) for name in STEP_COLUMNS] for step in steps]


def role_rows(roles: Sequence[RoleFigures]) -> list[list]:
    """The lane table's rows, in ROLE_COLUMNS order."""
    return [[_cell(role, name) for name in ROLE_COLUMNS] for role in roles]


def steps_csv(analytics: Analytics) -> bytes:
    """The step table as CSV; an empty cell where there is no figure."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(STEP_COLUMNS)
    for row in step_rows(analytics.steps):
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue().encode("utf-8")


def _table(name: str, header: Sequence[str], rows: list[list]) -> Table:
    # The API's field names head the columns, so the sheet reads like the CSV; no title block.
    columns = [
        Column(title, 60 if title == "step_name" else 14, NUMBER_FORMATS.get(title))
        for title in header
    ]
    return Table(sheet_name=name, title_lines=(), columns=columns, rows=rows)


def steps_xlsx(analytics: Analytics) -> bytes:
    """The step table as a workbook: sheet "Langkah"; "Triwulan" the same per quarter, "Peran"
    the lanes."""
    quarters = [
        [quarter.quarter, *row] for quarter in analytics.trend for row in step_rows(quarter.steps)
    ]
    tables = [
        _table("Langkah", STEP_COLUMNS, step_rows(analytics.steps)),
        _table("Triwulan", ("quarter", *STEP_COLUMNS), quarters),
        _table("Peran", ROLE_COLUMNS, role_rows(analytics.roles)),
    ]
    return workbook_bytes(tables, title="Kinerja SOP", creator="SAKIP Kecamatan")
