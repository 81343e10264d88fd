"""The import of targets and realisations (e-Kinerja's export): rows read from a CSV, JSON
or XLSX file, every row checked first, then all of them applied, or none."""

import csv
import io
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import ParseError

import sqlalchemy as sa

from app.errors import DomainError, Phrase, render_message
from app.extensions import db
from app.i18n import N_
from app.models import Indicator, IndicatorValue, User, utcnow
from app.services import audit
from app.services.indicators.arithmetic import refuse_realization_on_zero_target
from app.services.indicators.values import (
    CODE_PATTERN,
    MAX_VALUE,
    require_writer,
    to_decimal,
    unsigned_zero,
    value_problem,
    value_text,
)
from app.services.periods import is_period
from app.services.persistence import add_or_conflict

MAX_IMPORT_ROWS = 2000
# Column or key names an export may use, by the field they mean.
ALIASES = {
    "indicator": "indicator",
    "code": "indicator",
    "indikator": "indicator",
    "kode": "indicator",
    "period": "period",
    "periode": "period",
    "target": "target",
    "realization": "realization",
    "realisation": "realization",
    "realisasi": "realization",
}
PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
INDONESIAN_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$")


def parse_number_text(text: str) -> Decimal | None:
    """Read a number as a spreadsheet writes it: `1234.5` (a dot is a decimal point), or the
    Indonesian `1.234,5` / `1234,5` (dots group thousands, a comma is the decimal point).
    A lone dot is always a decimal point: `1.234` is one point two three four (write `1234`
    or `1.234,0` for a thousand and more); `1.234.567` can only be grouped thousands.
    Anything else (`1,234.5`, `1e3`, `12%`, `NaN`) is None."""
    text = text.strip()
    if PLAIN_NUMBER.match(text):
        return Decimal(text)
    if INDONESIAN_NUMBER.match(text):
        return Decimal(text.replace(".", "").replace(",", "."))
    return None


# --- the results -------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """What is wrong with one row of an import."""

    row: int
    field: str | None
    code: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)
    line: int | None = None

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        entry = {
            "row": self.row,
            "field": self.field,
            "code": self.code,
            "message": render_message(self.code, lang, **self.params),
        }
        if self.line is not None:
            entry["line"] = self.line
        return entry


class ImportRejected(DomainError):
    """An import with bad rows: nothing was changed; `errors` lists every bad row's faults."""

    def __init__(self, errors: list[RowError], rows: int, lang: str = "en"):
        self.errors = errors
        super().__init__(
            422,
            "import_invalid",
            details={"rows": rows, "errors": [e.as_dict(lang) for e in errors]},
            count=len({e.row for e in errors}),
        )

    def in_language(self, lang: str) -> "ImportRejected":
        """The same refusal with every row's message in `lang`."""
        return ImportRejected(self.errors, self.details["rows"], lang)


@dataclass(frozen=True)
class ImportRow:
    """One row of an import as read: its 1-based number among the data rows, its line in a
    CSV file, its fields by canonical name, and whether numbers arrive as text (CSV)."""

    row: int
    fields: dict[str, Any]
    text_numbers: bool = False
    line: int | None = None


@dataclass(frozen=True)
class ImportResult:
    applied: int
    created: int
    updated: int


def unreadable(reason: str, **params) -> DomainError:
    """The refusal of an import that cannot be read: `reason` a msgid of the catalogue."""
    return DomainError(422, "import_unreadable", reason=Phrase(reason, **params))


# --- reading the rows --------------------------------------------------------------------


def _canonical(data: Mapping[str, Any]) -> dict[str, Any]:
    fields_: dict[str, Any] = {}
    for key, value in data.items():
        name = ALIASES.get(str(key).strip().lower())
        if name is not None and name not in fields_:
            fields_[name] = value
    return fields_


def rows_from_json(rows: Any) -> list[ImportRow]:
    """Read the rows of a JSON import: a list of objects."""
    if not isinstance(rows, list):
        raise unreadable(N_("rows must be a list of objects"))
    return [
        ImportRow(row=n, fields=_canonical(item) if isinstance(item, dict) else {"_bad": item})
        for n, item in enumerate(rows, start=1)
    ]


def rows_from_csv(text: str) -> list[ImportRow]:
    """Read the rows of a CSV import with a header row; the delimiter is a comma, or a
    semicolon (Indonesian spreadsheets) when the header has more of those."""
    header_line = text.lstrip().split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        names = _header_names(next(reader, None))
        rows = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue  # blank lines, which spreadsheets like to end with
            values = _csv_fields(names, cells)
            rows.append(
                ImportRow(row=len(rows) + 1, fields=values, text_numbers=True, line=reader.line_num)
            )
            if len(rows) > MAX_IMPORT_ROWS:
                break
    except csv.Error as error:
        raise unreadable(N_("not a CSV file ({error})"), error=error) from None
    return rows


def _header_names(header: list[str] | None) -> list[str | None]:
    """The canonical field of each column of a CSV header (None for a column not used)."""
    if header is None:
        raise unreadable(N_("the file is empty"))
    names = [ALIASES.get(h.strip().lower()) for h in header]
    if "indicator" not in names or "period" not in names:
        raise unreadable(N_("the header must name the columns indicator (or code) and period"))
    if "realization" not in names and "target" not in names:
        raise unreadable(N_("the header must have a realization or a target column"))
    return names


def _csv_fields(names: Sequence[str | None], cells: Sequence[str]) -> dict[str, Any]:
    """A CSV row's fields by canonical name (an empty cell is None); `_extra` counts the
    cells past the header's columns when any of them holds something."""
    values: dict[str, Any] = {}
    for name, cell in zip(names, cells, strict=False):
        if name is not None and name not in values:
            values[name] = cell.strip() or None
    if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
        values["_extra"] = len(cells) - len(names)
    return values


# An .xlsx file is a ZIP archive; so is nothing else an import may be.
ZIP_MAGIC = b"PK\x03\x04"
# How far down a sheet the header row is looked for: under a title block such as the
# office's own exported kertas kerja has.
XLSX_HEADER_SEARCH = 30
FIELDS = ("indicator", "period", "target", "realization")
# What openpyxl raises on a file that is not a readable workbook.
XLSX_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    OSError,
    EOFError,
    ParseError,
)


def rows_from_xlsx(content: bytes) -> list[ImportRow]:
    """Read the rows of an XLSX import: the first sheet with a header row naming the columns
    as a CSV does (looked for in its first rows, under any title block), then each row under
    it. A row is numbered among the data rows, with its spreadsheet row as its `line`; a row
    with none of the four fields is skipped (blank, or a total row). Numbers are the cells'
    numbers, or text read as a CSV's."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (*XLSX_ERRORS, InvalidFileException):
        raise unreadable(N_("not a readable .xlsx workbook")) from None
    try:
        return _xlsx_rows(book)
    except XLSX_ERRORS:
        raise unreadable(N_("not a readable .xlsx workbook")) from None
    finally:
        book.close()


def _xlsx_rows(book) -> list[ImportRow]:
    for sheet in book.worksheets:
        cells = sheet.iter_rows(values_only=False)
        names = _xlsx_header(cells)
        if names is None:
            continue
        rows = []
        for row_cells in cells:
            values = _xlsx_fields(names, row_cells)
            if not any(values.get(name) is not None for name in FIELDS):
                continue
            line = next((c.row for c in row_cells if getattr(c, "row", None)), None)
            rows.append(ImportRow(row=len(rows) + 1, fields=values, text_numbers=True, line=line))
            if len(rows) > MAX_IMPORT_ROWS:
                break
        return rows
    raise unreadable(
        N_(
            "no sheet has a header row naming the columns indicator (or code), period, and "
            "realization or target"
        )
    )


def _xlsx_header(cells) -> list[str | None] | None:
    """The canonical field of each column of the sheet's header row, or None when none of
    its first rows is one."""
    for _, row_cells in zip(range(XLSX_HEADER_SEARCH), cells, strict=False):
        names = [ALIASES.get(str(c.value).strip().lower()) if c.value else None for c in row_cells]
        has_value = "target" in names or "realization" in names
        if "indicator" in names and "period" in names and has_value:
            return names
    return None


def _xlsx_fields(names: Sequence[str | None], row_cells) -> dict[str, Any]:
    """A sheet row's fields by canonical name: text stripped (empty is None); a whole number
    in the indicator or period column (a year typed as 2026) read as its text."""
    values: dict[str, Any] = {}
    for name, cell in zip(names, row_cells, strict=False):
        if name is None or name in values:
            continue
        value = cell.value
        if isinstance(value, str):
            value = value.strip() or None
        elif name in ("indicator", "period") and isinstance(value, int | float):
            value = str(int(value)) if float(value).is_integer() else str(value)
        elif value is not None and not isinstance(value, int | float):
            value = str(value)  # a date or a time: refused by the checks, as typed text
        values[name] = value
    return values


def rows_from_file(filename: str | None, content: bytes) -> tuple[list[ImportRow], str]:
    """Read an uploaded import file, JSON (`{"rows": [...]}` or a bare list), CSV or XLSX,
    into rows; answer them and the format."""
    if (filename or "").lower().endswith(".xlsx") or content.startswith(ZIP_MAGIC):
        return rows_from_xlsx(content), "xlsx"
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise unreadable(N_("the file is not UTF-8 text")) from None
    looks_json = text.lstrip()[:1] in ("{", "[")
    if (filename or "").lower().endswith(".json") or looks_json:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise unreadable(N_("not valid JSON")) from None
        if isinstance(data, dict):
            data = data.get("rows")
        return rows_from_json(data), "json"
    return rows_from_csv(text), "csv"


# --- checking the rows -------------------------------------------------------------------


@dataclass
class _ImportCheck:
    """What the checks of an import's rows need and find: the indicators and stored values
    the rows name, the (indicator, period) pairs seen so far, the faults, the planned writes."""

    indicators: dict[str, Indicator]
    existing: dict[tuple[int, str], IndicatorValue]
    seen: dict[tuple[str, str], int] = dataclass_field(default_factory=dict)
    errors: list[RowError] = dataclass_field(default_factory=list)
    planned: list[tuple[Indicator, str, dict[str, Decimal]]] = dataclass_field(default_factory=list)

    @classmethod
    def for_rows(cls, rows: Sequence[ImportRow]) -> "_ImportCheck":
        """Load, in two queries, the indicators the rows name and their stored values."""
        codes = {
            code
            for code in (r.fields.get("indicator") for r in rows)
            if isinstance(code, str) and CODE_PATTERN.match(code)
        }
        indicators = {
            i.code: i
            for i in db.session.scalars(sa.select(Indicator).where(Indicator.code.in_(codes)))
        }
        ids = [i.id for i in indicators.values()]
        existing = {
            (v.indicator_id, v.period): v
            for v in db.session.scalars(
                sa.select(IndicatorValue).where(IndicatorValue.indicator_id.in_(ids))
            )
        }
        return cls(indicators, existing)

    def check(self, row: ImportRow) -> None:
        """Record every fault of `row`, or plan its write when it has none."""
        before = len(self.errors)
        if "_bad" in row.fields:
            self._fault(row, None, "import_row_not_object")
            return
        if "_extra" in row.fields:
            # An unquoted "1,234.5" in a comma CSV splits into two cells; never guess.
            self._fault(row, None, "import_extra_cells", count=row.fields["_extra"])
        indicator = self._indicator(row)
        period = self._period(row)
        given = self._numbers(row)
        if not given and len(self.errors) == before:
            self._fault(row, None, "import_no_value")
        self._note_duplicate(row, period)
        if len(self.errors) == before and indicator is not None and period is not None:
            self._plan(row, indicator, period, given)

    def _fault(self, row: ImportRow, name: str | None, error: str, **params) -> None:
        self.errors.append(RowError(row.row, name, error, params, row.line))

    def _indicator(self, row: ImportRow) -> Indicator | None:
        """The indicator the row names, or None after recording why there is none."""
        code = row.fields.get("indicator")
        if code is None or code == "":
            self._fault(row, "indicator", "import_field_missing", field="indicator")
        elif not isinstance(code, str) or not CODE_PATTERN.match(code):
            self._fault(row, "indicator", "invalid_indicator_code", indicator=str(code)[:60])
        elif code not in self.indicators:
            self._fault(row, "indicator", "unknown_indicator", indicator=code)
        else:
            return self.indicators[code]
        return None

    def _period(self, row: ImportRow) -> str | None:
        """The period the row names, or None after recording why there is none."""
        period = row.fields.get("period")
        if period is None or period == "":
            self._fault(row, "period", "import_field_missing", field="period")
        elif not isinstance(period, str) or not is_period(period):
            self._fault(row, "period", "invalid_period", period=str(period)[:20])
        else:
            return period
        return None

    def _numbers(self, row: ImportRow) -> dict[str, Decimal]:
        """The row's target and realisation that it gives and that may be stored."""
        given = {}
        for name in ("target", "realization"):
            number = self._number(row, name)
            if number is not None:
                given[name] = number
        return given

    def _number(self, row: ImportRow, name: str) -> Decimal | None:
        raw = row.fields.get(name)
        if raw is None:
            return None
        if row.text_numbers and isinstance(raw, str):
            number = parse_number_text(raw)
        else:
            number = to_decimal(raw)
        problem = "not_a_number" if number is None else value_problem(number)
        if problem:
            self._fault(
                row, name, problem, field=name, value=str(raw)[:40], max=f"{MAX_VALUE:,.0f}"
            )
            return None
        return unsigned_zero(number)

    def _note_duplicate(self, row: ImportRow, period: str | None) -> None:
        """Refuse a second row of the same indicator and period."""
        code = row.fields.get("indicator")
        if isinstance(code, str) and code and period:
            first = self.seen.setdefault((code, period), row.row)
            if first != row.row:
                self._fault(
                    row,
                    "period",
                    "import_duplicate_row",
                    first=first,
                    indicator=code,
                    period=period,
                )

    def _plan(
        self, row: ImportRow, indicator: Indicator, period: str, given: dict[str, Decimal]
    ) -> None:
        """Plan the write of a good row, unless it leaves a realisation on a zero target."""
        stored = self.existing.get((indicator.id, period))
        target = given.get("target", stored.target if stored else None)
        realization = given.get("realization", stored.realization if stored else None)
        try:
            refuse_realization_on_zero_target(target, realization, period)
        except DomainError as refused:
            self._fault(row, "target", refused.code, **refused.params)
            return
        self.planned.append((indicator, period, given))


# --- applying them -----------------------------------------------------------------------


def import_values(
    rows: Sequence[ImportRow],
    *,
    actor: User,
    source: str = "json",
    ip: str | None = None,
) -> ImportResult:
    """Apply imported targets and realisations all or nothing: every row is checked first,
    and one bad row refuses the lot with the faults of every bad row. An empty or missing
    value leaves the stored one as it is."""
    require_writer(actor)
    if not rows:
        raise unreadable(N_("there are no data rows"))
    if len(rows) > MAX_IMPORT_ROWS:
        raise unreadable(N_("more than {limit} rows"), limit=MAX_IMPORT_ROWS)
    plan = _ImportCheck.for_rows(rows)
    for row in rows:
        plan.check(row)
    if plan.errors:
        raise ImportRejected(plan.errors, len(rows))

    now = utcnow()
    created = 0
    changes = []
    for indicator, period, given in plan.planned:
        value = plan.existing.get((indicator.id, period))
        if value is None:
            value = IndicatorValue(indicator=indicator, period=period)
            db.session.add(value)
            created += 1
        for name, number in given.items():
            setattr(value, name, number)
        value.updated_at = now
        value.updated_by = actor
        changes.append(
            {"indicator": indicator.code, "period": period}
            | {name: value_text(number) for name, number in given.items()}
        )
    # Another request may have created the same (indicator, period) row first.
    add_or_conflict()
    applied = len(plan.planned)
    result = ImportResult(applied=applied, created=created, updated=applied - created)
    audit.record(
        "indicator.imported",
        actor=actor,
        object_type="indicator_import",
        summary=f"Mengimpor {result.applied} nilai indikator ({source.upper()})",
        data={
            "source": source,
            "applied": result.applied,
            "created": result.created,
            "updated": result.updated,
            "changes": changes,
        },
        ip=ip,
    )
    return result
