"""Tests for each year's list of days off (app/services/holiday_lists.py) and its seeding
from the calendar file (app/services/office_calendar.py)."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.errors import DomainError
from app.extensions import db
from app.models import HolidayKind, HolidayRow, HolidayYear, User
from app.services import holiday_lists
from app.services.office_calendar import office_calendar, seed_holidays


def user(name: str) -> User:
    return db.session.scalar(sa.select(User).filter_by(username=name))


def entry(day: str, name: str = "Libur", kind=HolidayKind.LIBUR_NASIONAL):
    return holiday_lists.HolidayEntry(day=date.fromisoformat(day), name=name, kind=kind)


def test_the_office_calendar_knows_the_seeded_years(app_ctx, users):
    """After seeding, 2026 and 2027 are known with their days off; 2028 is not."""
    calendar = office_calendar()
    assert {2026, 2027} <= calendar.known_years
    assert 2028 not in calendar.known_years
    assert not calendar.is_working_day(date(2027, 3, 10))


def test_seeding_never_overrides_a_year_the_admin_keeps(app_ctx, users):
    """A day the admin removed from 2027 stays removed when the file is seeded again; a year
    the database lacks is copied whole."""
    admin = user("admin")
    new_year = db.session.scalar(sa.select(HolidayRow).filter_by(day=date(2027, 1, 1)))
    holiday_lists.remove_holiday(new_year, actor=admin)
    db.session.delete(db.session.get(HolidayYear, 2026))
    db.session.flush()
    added = seed_holidays()
    assert added == 25
    assert db.session.scalar(sa.select(HolidayRow).filter_by(day=date(2027, 1, 1))) is None
    assert db.session.get(HolidayYear, 2026).source.startswith("SKB 3 Menteri")


def test_only_an_admin_changes_a_year(app_ctx, users):
    """Every change by another role is refused with 403."""
    camat = user("camat")
    with pytest.raises(DomainError) as refused:
        holiday_lists.replace_year(2030, source="SKB", holidays=[], actor=camat)
    assert refused.value.status == 403
    with pytest.raises(DomainError):
        holiday_lists.set_source(2030, "SKB", actor=camat)
    with pytest.raises(DomainError):
        holiday_lists.add_holiday(2027, entry("2027-07-07"), actor=camat)


def test_adding_to_an_unknown_year_asks_for_its_source(app_ctx, users):
    """A day off cannot be added to a year without a list: 409 until its source is named."""
    admin = user("admin")
    with pytest.raises(DomainError) as refused:
        holiday_lists.add_holiday(2030, entry("2030-07-07"), actor=admin)
    assert (refused.value.status, refused.value.code) == (409, "calendar_year_unknown")
    holiday_lists.set_source(2030, "SKB 2030", actor=admin)
    holiday_lists.add_holiday(2030, entry("2030-07-08"), actor=admin)
    assert holiday_lists.year_calendar(2030).known
    assert not office_calendar().is_working_day(date(2030, 7, 8))


def test_a_csv_file_with_a_bom_and_semicolons_is_read():
    """A spreadsheet's CSV (BOM, semicolons, an estimated column) reads into entries."""
    content = (
        "\ufeffdate;name;kind;estimated\n2027-03-10;Idul Fitri;holiday;ya\n"
        "2027-03-09;Cuti;cuti_bersama;\n\n"
    ).encode()
    entries = holiday_lists.entries_from_csv(content, 2027)
    assert entries == [
        holiday_lists.HolidayEntry(
            date(2027, 3, 10), "Idul Fitri", HolidayKind.LIBUR_NASIONAL, True
        ),
        holiday_lists.HolidayEntry(date(2027, 3, 9), "Cuti", HolidayKind.CUTI_BERSAMA, False),
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "kosong"),
        (b"tanggal,nama\n2027-01-01,X\n", "kolom date, name, kind tidak ada"),
        ("date,name,kind\n2027-01-01,Ä,holiday\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_an_unreadable_csv_file_is_refused_whole(content, reason):
    """An empty file, one without the columns, or one not in UTF-8 is calendar_csv_unreadable."""
    with pytest.raises(DomainError) as refused:
        holiday_lists.entries_from_csv(content, 2027)
    assert refused.value.code == "calendar_csv_unreadable"
    assert reason in refused.value.message("id")


def test_a_bad_year_is_refused(app_ctx):
    """A year outside 2000-2100 is 422 in the service too."""
    with pytest.raises(DomainError) as refused:
        holiday_lists.year_calendar(1999)
    assert refused.value.code == "calendar_year_out_of_range"
