"""Tests for the admin's calendar page (app/web/admin/calendar.py): a year's days off listed,
added, edited, removed and imported from CSV, its source named, each change audited."""

import io

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, HolidayRow, HolidayYear


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(
            sa.select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)
        ).all()


def holiday_on(app, day: str) -> HolidayRow | None:
    with app.app_context():
        return db.session.scalar(sa.select(HolidayRow).where(HolidayRow.day == sa.func.date(day)))


def row_id(app, year: int, name: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(HolidayRow.id).filter_by(year=year, name=name))


def test_only_the_admin_opens_the_calendar_page(pages):
    """The admin's index links the page; the admin sees 2027's days, others get 403."""
    admin = pages("admin")
    assert 'href="/admin/calendar"' in admin.get("/admin").text
    page = admin.get("/admin/calendar?year=2027")
    assert page.status_code == 200
    assert "Hari Raya Idul Fitri" in page.text and "perkiraan" in page.text
    assert "SKB 3 Menteri" in page.text
    for role in ("camat", "viewer"):
        assert pages(role).get("/admin/calendar").status_code == 403
        refused = pages(role).post("/admin/calendar/2030/source", {"source": "x"}, htmx=False)
        assert refused.status_code == 403


def test_an_unknown_year_is_said_so_and_started_with_a_source(app, pages):
    """2030 shows the unknown-year warning; naming its source makes it known (audited)."""
    admin = pages("admin")
    assert "Kalender kerja tahun 2030 belum ada." in admin.get("/admin/calendar?year=2030").text
    blank = admin.post("/admin/calendar/2030/source", {"source": "  "}, htmx=False)
    assert blank.status_code == 422 and "Wajib diisi." in blank.text
    done = admin.post("/admin/calendar/2030/source", {"source": "SKB 2030"}, htmx=False)
    assert done.status_code == 302
    page = admin.get("/admin/calendar?year=2030").text
    assert "belum ada." not in page and "SKB 2030" in page
    [event] = events(app, "calendar.source_set")
    assert event.data == {"year": 2030, "old": {"source": None}, "new": {"source": "SKB 2030"}}


def test_add_edit_and_remove_a_holiday_each_audited(app, pages):
    """The admin adds a day off to 2027, renames it, then removes it; each change is audited
    with the old and the new values."""
    admin = pages("admin")
    added = admin.post(
        "/admin/calendar/2027/holidays",
        {"add-day": "2027-07-07", "add-name": "Hari Jadi Kabupaten", "add-kind": "libur_nasional"},
        htmx=False,
    )
    assert added.status_code == 302
    holiday_id = row_id(app, 2027, "Hari Jadi Kabupaten")
    assert "Hari Jadi Kabupaten" in admin.get("/admin/calendar?year=2027").text
    prefix = f"h{holiday_id}-"
    edited = admin.post(
        f"/admin/calendar/holidays/{holiday_id}",
        {
            prefix + "day": "2027-07-08",
            prefix + "name": "Hari Jadi Purbalingga",
            prefix + "kind": "cuti_bersama",
            prefix + "estimated": "y",
        },
        htmx=False,
    )
    assert edited.status_code == 302
    removed = admin.post(f"/admin/calendar/holidays/{holiday_id}/delete", {}, htmx=False)
    assert removed.status_code == 302
    assert row_id(app, 2027, "Hari Jadi Purbalingga") is None
    [add] = events(app, "calendar.holiday_added")
    [change] = events(app, "calendar.holiday_changed")
    [remove] = events(app, "calendar.holiday_removed")
    assert add.data["old"] is None and add.data["new"]["date"] == "2027-07-07"
    assert change.data["old"]["name"] == "Hari Jadi Kabupaten"
    assert change.data["new"] == {
        "date": "2027-07-08",
        "name": "Hari Jadi Purbalingga",
        "kind": "cuti_bersama",
        "estimated": True,
    }
    assert remove.data["old"]["date"] == "2027-07-08" and remove.data["new"] is None


def test_bad_entries_are_refused_inline(app, pages):
    """A date in another year, a date already off and an empty name are refused with an
    inline message in Indonesian, and nothing changes."""
    admin = pages("admin")
    other_year = admin.post(
        "/admin/calendar/2027/holidays",
        {"add-day": "2028-01-03", "add-name": "X", "add-kind": "libur_nasional"},
        htmx=False,
    )
    assert other_year.status_code == 422
    assert "Tanggal 2028-01-03 tidak berada di tahun 2027." in other_year.text
    taken = admin.post(
        "/admin/calendar/2027/holidays",
        {"add-day": "2027-01-01", "add-name": "Lagi", "add-kind": "cuti_bersama"},
        htmx=False,
    )
    assert taken.status_code == 422
    assert "sudah menjadi hari libur (Tahun Baru Masehi)" in taken.text
    nameless = admin.post(
        "/admin/calendar/2027/holidays",
        {"add-day": "2027-07-07", "add-name": "", "add-kind": "libur_nasional"},
        htmx=False,
    )
    assert nameless.status_code == 422 and "Wajib diisi." in nameless.text
    assert events(app, "calendar.holiday_added") == []


def csv_file(text: str) -> tuple:
    return (io.BytesIO(text.encode()), "libur.csv")


def test_a_csv_file_replaces_the_year_all_or_nothing(app, pages):
    """A CSV file with a bad row changes nothing and names each bad row; a good one replaces
    the year's list and is audited."""
    admin = pages("admin")
    bad = admin.post(
        "/admin/calendar/2029/import",
        {
            "source": "SKB 2029",
            "file": csv_file(
                "date,name,kind\n2029-01-01,Tahun Baru,holiday\n2029-13-01,X,holiday\n"
                "2030-01-01,Y,holiday\n2029-02-02,,libur\n"
            ),
        },
        htmx=False,
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert "Baris 2, kolom date" in bad.text
    assert "Baris 3, kolom date" in bad.text and "tidak berada di tahun 2029" in bad.text
    assert "Baris 4, kolom name" in bad.text and "Baris 4, kolom kind" in bad.text
    with app.app_context():
        assert db.session.get(HolidayYear, 2029) is None
    good = admin.post(
        "/admin/calendar/2029/import",
        {
            "source": "SKB 2029",
            "file": csv_file(
                "date;name;kind\n2029-01-01;Tahun Baru;holiday\n"
                "2029-02-12;Cuti Imlek;cuti_bersama\n"
            ),
        },
        htmx=False,
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    page = admin.get("/admin/calendar?year=2029").text
    assert "Cuti Imlek" in page and "SKB 2029" in page
    [event] = events(app, "calendar.year_replaced")
    assert event.data["how"] == "csv" and event.data["old"] is None
    assert len(event.data["new"]["holidays"]) == 2
