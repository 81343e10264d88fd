"""Each year's list of days off: reading it, and the admin's changes to it (replace a year,
name its source, add, edit or remove a day, import a CSV file), each audited with the old
and the new values. Tasks already open keep their due time; new ones use the new list."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.errors import DomainError, not_found, render_message
from app.extensions import db
from app.models import HolidayKind, HolidayRow, HolidayYear, User, utcnow
from app.services import audit
from app.services.office_calendar import office_calendar
from app.services.permissions import require_admin

FIRST_YEAR, LAST_YEAR = 2000, 2100
# The API's and the CSV file's words for the kinds; the file and database say libur_nasional.
KIND_WORDS = {"holiday": HolidayKind.LIBUR_NASIONAL, "cuti_bersama": HolidayKind.CUTI_BERSAMA}
WORD_OF_KIND = {kind: word for word, kind in KIND_WORDS.items()}
SOURCE_MAX, NAME_MAX = 500, 200
CSV_MAX_ROWS = 366
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class HolidayEntry:
    """One day off as entered (API body, page form or CSV row)."""

    day: date
    name: str
    kind: HolidayKind
    estimated: bool = False

    def as_dict(self) -> dict:
        return {
            "date": self.day.isoformat(),
            "name": self.name,
            "kind": WORD_OF_KIND[self.kind],
            "estimated": self.estimated,
        }


@dataclass(frozen=True)
class YearCalendar:
    """A year as readers see it: known or not, its source, its days off, its working days."""

    year: int
    known: bool
    source: str | None
    holidays: list[HolidayRow]
    working_days: int | None


@dataclass(frozen=True)
class EntryError:
    """One fault of one entry: its 1-based row, the field, a message code and its facts."""

    row: int
    field: str
    code: str
    params: dict

    def as_dict(self, lang: str) -> dict:
        return {
            "row": self.row,
            "field": self.field,
            "code": self.code,
            "message": render_message(self.code, lang, **self.params),
        }


class HolidaysRejected(DomainError):
    """A year's list with bad entries: nothing was changed; `errors` lists every fault."""

    def __init__(self, errors: list[EntryError], lang: str = "en"):
        self.errors = errors
        super().__init__(
            422,
            "calendar_invalid",
            details={"errors": [error.as_dict(lang) for error in errors]},
            count=len({error.row for error in errors}),
        )

    def in_language(self, lang: str) -> "HolidaysRejected":
        """The same refusal with every entry's message in `lang`."""
        return HolidaysRejected(self.errors, lang)


def check_year(year: int) -> None:
    """Refuse a year outside the years a period can name."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DomainError(422, "calendar_year_out_of_range", year=year)


def year_calendar(year: int) -> YearCalendar:
    """Describe `year`: whether the office has its list, the source and the days off."""
    check_year(year)
    row = db.session.get(HolidayYear, year)
    if row is None:
        return YearCalendar(year, False, None, [], None)
    working_days = office_calendar().working_days_in(year)
    return YearCalendar(year, True, row.source, list(row.holidays), working_days)


def known_years() -> list[int]:
    """List the years the office has a holiday list for, oldest first."""
    return list(db.session.scalars(sa.select(HolidayYear.year).order_by(HolidayYear.year)))


def entry_errors(year: int, entries: list[HolidayEntry]) -> list[EntryError]:
    """Find what is wrong with a year's entries: a date outside the year, a date twice."""
    errors = []
    first_row: dict[date, int] = {}
    for row, entry in enumerate(entries, start=1):
        if entry.day.year != year:
            errors.append(EntryError(row, "date", "holiday_outside_year", _facts(entry, year)))
        elif entry.day in first_row:
            facts = {**_facts(entry, year), "first": first_row[entry.day]}
            errors.append(EntryError(row, "date", "holiday_duplicate", facts))
        else:
            first_row[entry.day] = row
    return errors


def _facts(entry: HolidayEntry, year: int) -> dict:
    return {"date": entry.day.isoformat(), "year": year}


def _snapshot(row: HolidayYear | None) -> dict | None:
    if row is None:
        return None
    return {
        "source": row.source,
        "holidays": [_entry_of(h).as_dict() for h in row.holidays],
    }


def _entry_of(row: HolidayRow) -> HolidayEntry:
    return HolidayEntry(day=row.day, name=row.name, kind=row.kind, estimated=row.estimated)


def _clean_source(source: str) -> str:
    cleaned = " ".join((source or "").split())
    if not cleaned:
        raise DomainError(422, "calendar_source_required", details={"field": "source"})
    if len(cleaned) > SOURCE_MAX:
        raise DomainError(422, "calendar_source_too_long", details={"field": "source"})
    return cleaned


def replace_year(
    year: int,
    *,
    source: str,
    holidays: list[HolidayEntry],
    actor: User,
    ip: str | None = None,
    how: str = "api",
) -> YearCalendar:
    """Replace `year`'s whole list (and source): the year becomes known."""
    require_admin(actor)
    check_year(year)
    source = _clean_source(source)
    errors = entry_errors(year, holidays)
    if errors:
        raise HolidaysRejected(errors)
    row = db.session.get(HolidayYear, year)
    old = _snapshot(row)
    if row is None:
        row = HolidayYear(year=year, source=source)
        db.session.add(row)
    row.holidays.clear()
    # The old days must be gone before new ones take their dates (the day is unique).
    db.session.flush()
    row.source = source
    row.updated_at = utcnow()
    for entry in sorted(holidays, key=lambda e: e.day):
        row.holidays.append(_new_row(entry))
    db.session.flush()
    db.session.refresh(row)
    audit.record(
        "calendar.year_replaced",
        actor=actor,
        object_type="calendar_year",
        object_id=year,
        summary=f"Mengganti daftar hari libur tahun {year} ({len(holidays)} hari)",
        data={"year": year, "how": how, "old": old, "new": _snapshot(row)},
        ip=ip,
    )
    return year_calendar(year)


def set_source(year: int, source: str, *, actor: User, ip: str | None = None) -> HolidayYear:
    """Name the source of `year`'s list; a year not yet known becomes known, with no days off."""
    require_admin(actor)
    check_year(year)
    source = _clean_source(source)
    row = db.session.get(HolidayYear, year)
    old = row.source if row else None
    if row is None:
        row = HolidayYear(year=year, source=source)
        db.session.add(row)
    row.source = source
    row.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "calendar.source_set",
        actor=actor,
        object_type="calendar_year",
        object_id=year,
        summary=f"Menetapkan sumber daftar hari libur tahun {year}",
        data={"year": year, "old": {"source": old}, "new": {"source": source}},
        ip=ip,
    )
    return row


def _known_year(year: int) -> HolidayYear:
    row = db.session.get(HolidayYear, year)
    if row is None:
        raise DomainError(409, "calendar_year_unknown", year=year)
    return row


def _new_row(entry: HolidayEntry) -> HolidayRow:
    return HolidayRow(day=entry.day, name=entry.name, kind=entry.kind, estimated=entry.estimated)


def _check_single(year: int, entry: HolidayEntry, except_id: int | None = None) -> None:
    errors = entry_errors(year, [entry])
    if errors:
        raise HolidaysRejected(errors)
    clash = db.session.scalar(sa.select(HolidayRow).filter_by(day=entry.day))
    if clash is not None and clash.id != except_id:
        raise HolidaysRejected(
            [
                EntryError(
                    1, "date", "holiday_taken", {"date": entry.day.isoformat(), "name": clash.name}
                )
            ]
        )


def add_holiday(
    year: int, entry: HolidayEntry, *, actor: User, ip: str | None = None
) -> HolidayRow:
    """Add a day off to a known year's list."""
    require_admin(actor)
    row = _known_year(year)
    _check_single(year, entry)
    holiday = _new_row(entry)
    row.holidays.append(holiday)
    row.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "calendar.holiday_added",
        actor=actor,
        object_type="holiday",
        object_id=holiday.id,
        summary=f"Menambah hari libur {entry.day.isoformat()} ({entry.name})",
        data={"year": year, "old": None, "new": entry.as_dict()},
        ip=ip,
    )
    return holiday


def get_holiday(holiday_id: int) -> HolidayRow:
    """Return day off `holiday_id` or raise 404."""
    holiday = db.session.get(HolidayRow, holiday_id)
    if holiday is None:
        raise not_found(f"Hari libur {holiday_id}")
    return holiday


def update_holiday(
    holiday: HolidayRow, entry: HolidayEntry, *, actor: User, ip: str | None = None
) -> HolidayRow:
    """Change a day off's date, name, kind or estimate, within its year."""
    require_admin(actor)
    _check_single(holiday.year, entry, except_id=holiday.id)
    old = _entry_of(holiday).as_dict()
    holiday.day, holiday.name = entry.day, entry.name
    holiday.kind, holiday.estimated = entry.kind, entry.estimated
    holiday.year_list.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "calendar.holiday_changed",
        actor=actor,
        object_type="holiday",
        object_id=holiday.id,
        summary=f"Mengubah hari libur {old['date']} ({old['name']})",
        data={"year": holiday.year, "old": old, "new": entry.as_dict()},
        ip=ip,
    )
    return holiday


def remove_holiday(holiday: HolidayRow, *, actor: User, ip: str | None = None) -> None:
    """Remove a day off from its year's list: the day becomes working time."""
    require_admin(actor)
    old = _entry_of(holiday).as_dict()
    year, holiday_id = holiday.year, holiday.id
    holiday.year_list.updated_at = utcnow()
    db.session.delete(holiday)
    db.session.flush()
    audit.record(
        "calendar.holiday_removed",
        actor=actor,
        object_type="holiday",
        object_id=holiday_id,
        summary=f"Menghapus hari libur {old['date']} ({old['name']})",
        data={"year": year, "old": old, "new": None},
        ip=ip,
    )


# --- importing a CSV file -------------------------------------------------------------------

CSV_FIELDS = ("date", "name", "kind")
KIND_ALIASES = {**KIND_WORDS, "libur_nasional": HolidayKind.LIBUR_NASIONAL}


def entries_from_csv(content: bytes, year: int) -> list[HolidayEntry]:
    """Read a CSV file of `date,name,kind` rows (a header line first; `;` also separates);
    every bad row is reported at once, or nothing is read."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(422, "calendar_csv_unreadable", reason="bukan teks UTF-8") from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise DomainError(422, "calendar_csv_unreadable", reason="berkas kosong")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [cell.strip().lower() for cell in next(reader)]
    missing = [name for name in CSV_FIELDS if name not in header]
    if missing:
        raise DomainError(
            422, "calendar_csv_unreadable", reason=f"kolom {', '.join(missing)} tidak ada"
        )
    entries, errors = [], []
    for row_no, cells in enumerate(reader, start=1):
        if row_no > CSV_MAX_ROWS:
            raise DomainError(422, "calendar_csv_unreadable", reason="lebih dari 366 baris")
        if not any(cell.strip() for cell in cells):
            continue
        fields = dict(zip(header, (cell.strip() for cell in cells), strict=False))
        entry, faults = _entry_from_fields(row_no, fields)
        errors.extend(faults)
        if entry is not None:
            entries.append((row_no, entry))
    for error in entry_errors(year, [entry for _, entry in entries]):
        # Renumber to the file's rows, which skipped rows may have shifted.
        errors.append(EntryError(entries[error.row - 1][0], error.field, error.code, error.params))
    if errors:
        raise HolidaysRejected(sorted(errors, key=lambda e: e.row))
    return [entry for _, entry in entries]


def _entry_from_fields(row: int, fields: dict) -> tuple[HolidayEntry | None, list[EntryError]]:
    errors = []
    day = None
    try:
        text = fields.get("date", "")
        day = date.fromisoformat(text) if ISO_DATE.match(text) else date.fromisoformat("x")
    except ValueError:
        errors.append(EntryError(row, "date", "holiday_bad_date", {"value": fields.get("date")}))
    name = " ".join(fields.get("name", "").split())
    if not name or len(name) > NAME_MAX:
        errors.append(EntryError(row, "name", "holiday_bad_name", {}))
    kind = KIND_ALIASES.get(fields.get("kind", "").lower())
    if kind is None:
        errors.append(EntryError(row, "kind", "holiday_bad_kind", {"value": fields.get("kind")}))
    estimated = fields.get("estimated", "").lower() in ("1", "true", "ya", "yes")
    if errors:
        return None, errors
    return HolidayEntry(day=day, name=name, kind=kind, estimated=estimated), []
