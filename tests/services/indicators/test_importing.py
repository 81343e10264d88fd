"""Tests of the import: numbers as spreadsheets write them, the all-or-nothing check of
every row, CSV and JSON files."""

from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from app.errors import DomainError
from app.extensions import db
from app.models import AuditEvent
from app.services import indicators as svc
from app.services.indicators import ImportRejected, parse_number_text
from tests.services.indicators.conftest import actions, add, put, stored

# --- numbers in text -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1234.5", "1234.5"),
        ("1.234,5", "1234.5"),
        ("1234,5", "1234.5"),
        ("1.234.567", "1234567"),
        ("1.234.567,89", "1234567.89"),
        ("1.234", "1.234"),  # a lone dot is a decimal point
        (" 42 ", "42"),
        ("0,75", "0.75"),
        ("-3", "-3"),  # read, so the import can say "negative" rather than "not a number"
    ],
)
def test_numbers_in_both_notations(text, number):
    """A CSV cell may hold 1234.5 or the Indonesian 1.234,5."""
    assert parse_number_text(text) == D(number)


@pytest.mark.parametrize(
    "text", ["", "abc", "1,234.5", "1e3", "12%", "NaN", "inf", "1.23.4", "1,2,3", "Rp 5", "1 000"]
)
def test_what_is_not_a_number(text):
    """English grouping, exponents, units and words are not numbers."""
    assert parse_number_text(text) is None


# --- import --------------------------------------------------------------------------------


def rows(*items) -> list[svc.ImportRow]:
    return svc.rows_from_json(list(items))


def test_import_applies_every_row(office):
    """Good rows create and update values, leave what they do not mention, and write one
    audit event."""
    a = add(office, "PEM-01")
    b = add(office, "TRA-01", section="trantib", polarity="negative")
    put(office, a, "2026-Q1", target=100, realization=1)
    db.session.commit()
    result = svc.import_values(
        rows(
            {"indicator": "PEM-01", "period": "2026-Q1", "realization": 95},
            {"code": "TRA-01", "period": "2026-Q1", "target": 10, "realization": 13},
            {"kode": "TRA-01", "periode": "2026-Q2", "target": 10},
        ),
        actor=office["anggota"],
    )
    db.session.commit()
    assert result == svc.ImportResult(applied=3, created=2, updated=1)
    assert stored(a) == {"2026-Q1": (D(100), D(95))}
    assert stored(b) == {"2026-Q1": (D(10), D(13)), "2026-Q2": (D(10), None)}
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.data["applied"], event.actor) == (
        "indicator.imported",
        3,
        "anggota",
    )


def test_one_bad_row_changes_nothing_and_every_bad_row_is_reported(office):
    """All or nothing: the report lists each bad row with its number, field and code."""
    a = add(office, "PEM-01")
    put(office, a, "2026-Q1", target=100, realization=50)
    add(office, "ZERO", section="trantib")
    put(office, svc.get_indicator("ZERO"), "2026-Q1", target=0)
    db.session.commit()
    before = (stored(a), len(actions()))
    with pytest.raises(ImportRejected) as raised:
        svc.import_values(
            rows(
                {"indicator": "PEM-01", "period": "2026-Q1", "realization": 99},  # good
                {"indicator": "NOPE", "period": "2026-Q1", "realization": 1},
                {"indicator": "PEM-01", "period": "2026-Q9", "realization": "x"},
                {"indicator": "PEM-01", "period": "2026-Q2", "realization": -5},
                {"indicator": "PEM-01", "period": "2026-Q1", "target": 90},  # duplicate of 1
                {"indicator": "PEM-01", "period": "2026-Q3"},
                {"period": "2026-Q3", "realization": 1},
                {"indicator": "ZERO", "period": "2026-Q1", "realization": 4},
                {"indicator": "PEM-01", "period": "2026-Q4", "realization": float("nan")},
                "not an object",
            ),
            actor=office["anggota"],
        )
    db.session.rollback()
    error = raised.value
    assert (error.status, error.code) == (422, "import_invalid")
    report = [(e["row"], e["field"], e["code"]) for e in error.details["errors"]]
    assert report == [
        (2, "indicator", "unknown_indicator"),
        (3, "period", "invalid_period"),
        (3, "realization", "not_a_number"),
        (4, "realization", "negative_value"),
        (5, "period", "import_duplicate_row"),
        (6, None, "import_no_value"),
        (7, "indicator", "import_field_missing"),
        (8, "target", "realization_on_zero_target"),
        (9, "realization", "value_not_finite"),
        (10, None, "import_row_not_object"),
    ]
    assert error.params["count"] == 9
    assert all(e["message"] for e in error.details["errors"])
    assert "row 1" in error.details["errors"][4]["message"]
    assert (stored(a), len(actions())) == before


def test_import_reads_csv_in_both_notations(office):
    """A semicolon CSV with Indonesian numbers, and a comma CSV with plain ones, both load."""
    a = add(office, "PEM-01")
    b = add(office, "PEL-04", section="kesos")
    text = "\ufeffKode;Periode;Target;Realisasi\nPEM-01;2026-Q1;1.500,0;1.234,5\n\nPEL-04;2026;;7\n"
    parsed, source = svc.rows_from_file("ekinerja.csv", text.encode("utf-8"))
    assert source == "csv"
    svc.import_values(parsed, actor=office["admin"], source=source)
    assert stored(a) == {"2026-Q1": (D(1500), D("1234.5"))}
    assert stored(b) == {"2026": (None, D(7))}
    plain = "indicator,period,realization,note\nPEM-01,2026-Q2,1234.5,ok\n"
    svc.import_values(svc.rows_from_csv(plain), actor=office["admin"], source="csv")
    assert stored(a)["2026-Q2"] == (None, D("1234.5"))


def test_csv_errors_carry_their_line(office):
    """A bad CSV row is reported by its data-row number and its line in the file; a row with
    more cells than the header (an unquoted 1,234.5) is bad, not silently cut."""
    add(office, "PEM-01")
    text = (
        "code,period,realization\nPEM-01,2026-Q1,1\n\nPEM-01,2026-Q2,1,234.5\nPEM-01,2026-Q3,12%\n"
    )
    with pytest.raises(ImportRejected) as raised:
        svc.import_values(svc.rows_from_csv(text), actor=office["admin"], source="csv")
    assert [(e["row"], e["line"], e["code"]) for e in raised.value.details["errors"]] == [
        (2, 4, "import_extra_cells"),
        (3, 5, "not_a_number"),
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\xff\xfe\x00bad", "UTF-8"),
        (b"", "empty"),
        (b"name,value\nx,1\n", "header"),
        (b"code,period\nA,2026\n", "realization"),
        (b'{"rows": 5}', "list"),
        (b"[1, 2", "JSON"),
    ],
)
def test_unreadable_files_are_refused(office, content, reason):
    """A file that is not UTF-8, has no usable header or is broken JSON is a 422."""
    with pytest.raises(DomainError) as raised:
        parsed, source = svc.rows_from_file("x.csv", content)
        svc.import_values(parsed, actor=office["admin"], source=source)
    assert (raised.value.status, raised.value.code) == (422, "import_unreadable")
    assert reason in raised.value.message("en")
