"""Tests of the indicator service: capaian and predikat arithmetic, the year made of its
quarters, values, the editable scale, the all-or-nothing import, and the measurement sheet."""

from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from app.errors import DomainError
from app.extensions import db
from app.models import AuditEvent, CategoryBand, IndicatorValue, OrgUnit, User
from app.services import indicators as svc
from app.services.indicators import (
    DEFAULT_BANDS,
    ImportRejected,
    achievement,
    aggregate,
    categorize,
    measurement_sheet,
    parse_number_text,
)

# --- achievement ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "realization", "value", "category"),
    [
        ("100", "91", "91.00", "sangat_tinggi"),
        ("80", "72.4", "90.50", "tinggi"),  # 72.4 / 80 = 0.905
        ("3", "2", "66.67", "sedang"),  # 66.666… rounds up
        ("200", "181.99", "91.00", "sangat_tinggi"),  # 90.995 exactly: half up, no float drift
        ("13", "11", "84.62", "tinggi"),  # 84.615… rounds up
        ("50", "0", "0.00", "sangat_rendah"),
        ("40", "100", "250.00", "sangat_tinggi"),  # no cap above 100
    ],
)
def test_positive_achievement_is_realization_over_target(target, realization, value, category):
    """A positive indicator's achievement is r / t × 100, rounded half up to 2 decimals."""
    result = achievement(D(target), D(realization), "positive")
    assert result.value == D(value)
    assert str(result.value) == value
    assert result.category.code == category
    assert result.reason is None


@pytest.mark.parametrize(
    ("target", "realization", "value", "category"),
    [
        ("10", "4", "160.00", "sangat_tinggi"),  # (20 - 4) / 10
        ("10", "10", "100.00", "sangat_tinggi"),
        ("10", "13", "70.00", "sedang"),  # (20 - 13) / 10
        ("8", "10", "75.00", "sedang"),  # (16 - 10) / 8
        ("24", "30", "75.00", "sedang"),
        ("3", "4.8", "40.00", "sangat_rendah"),  # (6 - 4.8) / 3
        ("10", "20", "0.00", "sangat_rendah"),
        ("10", "25", "-50.00", "sangat_rendah"),  # past twice the target: negative, kept
        ("10", "0", "200.00", "sangat_tinggi"),
    ],
)
def test_negative_achievement_is_two_targets_less_realization(target, realization, value, category):
    """A negative indicator's achievement is (2t − r) / t × 100, negative results kept."""
    result = achievement(D(target), D(realization), "negative")
    assert result.value == D(value)
    assert result.category.code == category


@pytest.mark.parametrize(
    ("target", "realization", "reason"),
    [
        (None, D(5), "target_missing"),
        (None, None, "target_missing"),
        (D(0), D(5), "target_zero"),
        (D(0), None, "target_zero"),
        (D("0.0000"), D(1), "target_zero"),
        (D(10), None, "realization_missing"),
    ],
)
def test_what_cannot_be_measured_says_why(target, realization, reason):
    """A missing or zero target or a missing realisation is not measurable, never 0."""
    for polarity in ("positive", "negative"):
        result = achievement(target, realization, polarity)
        assert result.value is None
        assert result.category == svc.NOT_MEASURABLE
        assert result.category.label == "Tidak dapat diukur"
        assert result.reason == reason


def test_a_realization_of_zero_is_measured():
    """A realisation of 0 is a value, not a missing one."""
    assert achievement(D(10), D(0), "positive").value == D("0.00")


# --- categories ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code", "label"),
    [
        ("-50", "sangat_rendah", "Sangat Rendah"),
        ("0", "sangat_rendah", "Sangat Rendah"),
        ("50.99", "sangat_rendah", "Sangat Rendah"),
        ("51", "rendah", "Rendah"),
        ("65.99", "rendah", "Rendah"),
        ("66", "sedang", "Sedang"),
        ("75.99", "sedang", "Sedang"),
        ("76", "tinggi", "Tinggi"),
        ("90.5", "tinggi", "Tinggi"),
        ("90.99", "tinggi", "Tinggi"),
        ("91", "sangat_tinggi", "Sangat Tinggi"),
        ("91.00", "sangat_tinggi", "Sangat Tinggi"),
        ("250", "sangat_tinggi", "Sangat Tinggi"),
    ],
)
def test_default_scale_boundaries(value, code, label):
    """Each band's lower bound is inclusive: 51 is Rendah, 50.99 Sangat Rendah, and so on."""
    assert categorize(D(value), DEFAULT_BANDS) == svc.Category(code, label)


def test_none_is_not_measurable():
    """No value has no band."""
    assert categorize(None, DEFAULT_BANDS).code == "not_measurable"


def test_a_scale_without_an_open_bottom_band_keeps_its_lowest_band():
    """Below the lowest bound of a scale with no open band is still the lowest band."""
    bands = [svc.Band("baik", "Baik", D(80)), svc.Band("kurang", "Kurang", D(50))]
    assert categorize(D(10), bands).code == "kurang"
    assert categorize(D(80), bands).code == "baik"


def test_categories_use_the_rounded_achievement():
    """90.995 shows as 91.00 and is Sangat Tinggi, like the number on the worksheet."""
    result = achievement(D(1000), D("909.95"), "positive")
    assert (result.value, result.category.code) == (D("91.00"), "sangat_tinggi")


# --- aggregation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("how", "quarters", "year"),
    [
        ("sum", ["10", "20", "30", "40"], "100"),
        ("sum", ["10", None, "5", None], "15"),
        ("sum", ["2.5", "0", None, None], "2.5"),
        ("average", ["80", "90", "100", "70"], "85"),
        ("average", ["10", "20", None, "5"], "11.6667"),  # 35 / 3, to 4 decimals
        ("average", [None, "3", None, None], "3"),
        ("last", ["10", "20", "30", "40"], "40"),
        ("last", ["10", None, "7", None], "7"),  # the latest quarter with a value
        ("last", ["0", None, None, None], "0"),
    ],
)
def test_quarters_make_the_year(how, quarters, year):
    """Sum, average and last run over the quarters that have a value."""
    values = [None if q is None else D(q) for q in quarters]
    assert aggregate(values, how) == D(year)


@pytest.mark.parametrize("how", ["sum", "average", "last"])
def test_a_year_without_quarter_values_has_none(how):
    """With no quarter value, the year has none either (not 0)."""
    assert aggregate([None, None, None, None], how) is None
    assert aggregate([], how) is None


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


# --- with a database -----------------------------------------------------------------------


@pytest.fixture
def office(app_ctx, users):
    """Two sections, a unit that is not a section, and the users by role."""
    for code, name, is_section in [
        ("pemerintahan", "Seksi Pemerintahan", True),
        ("trantib", "Seksi Trantib", True),
        ("kesos", "Seksi Kesejahteraan Sosial", True),
        ("sekretariat", "Sekretariat", False),
    ]:
        db.session.add(OrgUnit(code=code, name=name, is_section=is_section))
    db.session.commit()
    return {name: db.session.get(User, user_id) for name, user_id in users.items()}


def add(office, code, section="pemerintahan", polarity="positive", aggregation="sum", **kw):
    """Create an indicator as the admin."""
    return svc.create_indicator(
        code=code,
        name=kw.get("name", f"Indikator {code}"),
        unit=kw.get("unit", "%"),
        polarity=polarity,
        aggregation=aggregation,
        section=section,
        actor=office["admin"],
    )


def put(office, indicator, period, as_="anggota", **values):
    return svc.set_value(indicator, period, actor=office[as_], **values)


def stored(indicator) -> dict:
    rows = db.session.scalars(sa.select(IndicatorValue).filter_by(indicator_id=indicator.id))
    return {r.period: (r.target, r.realization) for r in rows}


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_create_indicator_writes_its_audit_event(office):
    """An admin adds an indicator to a section; the audit trail says so."""
    indicator = add(office, "PEM-01", polarity="negative", aggregation="last")
    db.session.commit()
    assert (indicator.section.code, indicator.polarity, indicator.aggregation) == (
        "pemerintahan",
        "negative",
        "last",
    )
    assert indicator.active
    assert actions()[-1] == "indicator.created"


@pytest.mark.parametrize(
    ("section", "status", "code"),
    [("nowhere", 422, "unknown_section"), ("sekretariat", 422, "unknown_section")],
)
def test_an_indicator_needs_a_section(office, section, status, code):
    """An unknown unit, or a unit that is not a section, is refused."""
    with pytest.raises(DomainError) as raised:
        add(office, "X-1", section=section)
    assert (raised.value.status, raised.value.code) == (status, code)


def test_duplicate_code_conflicts(office):
    """A second indicator with the same code is a 409."""
    add(office, "PEM-01")
    with pytest.raises(DomainError) as raised:
        add(office, "PEM-01", section="trantib")
    assert (raised.value.status, raised.value.code) == (409, "duplicate_indicator")


@pytest.mark.parametrize("role", ["kasi", "viewer", "camat", "sekcam"])
def test_only_admin_and_anggota_write(office, role):
    """Other roles may neither add indicators nor set values."""
    indicator = add(office, "PEM-01")
    with pytest.raises(DomainError) as raised:
        svc.create_indicator(
            code="X-2",
            name="x",
            unit="%",
            polarity="positive",
            aggregation="sum",
            section="pemerintahan",
            actor=office[role],
        )
    assert raised.value.status == 403
    with pytest.raises(DomainError) as raised:
        put(office, indicator, "2026-Q1", as_=role, target=10)
    assert raised.value.status == 403


def test_set_value_keeps_what_is_not_sent_and_clears_null(office):
    """A field left out stays; None clears it; each change is audited with before and after."""
    indicator = add(office, "PEM-01")
    put(office, indicator, "2026-Q1", target=80)
    figures = put(office, indicator, "2026-Q1", realization=D("72.4"))
    assert (figures.target, figures.realization) == (D(80), D("72.4"))
    assert (figures.achievement.value, figures.achievement.category.code) == (D("90.50"), "tinggi")
    cleared = put(office, indicator, "2026-Q1", realization=None)
    assert cleared.achievement.reason == "realization_missing"
    db.session.commit()
    assert stored(indicator) == {"2026-Q1": (D(80), None)}
    event = db.session.scalars(
        sa.select(AuditEvent).filter_by(action="indicator.value_set").order_by(AuditEvent.id)
    ).all()[-1]
    assert event.data["before"] == {"target": "80", "realization": "72.4"}
    assert event.data["after"] == {"target": "80", "realization": None}


def test_float_input_keeps_its_decimal(office):
    """A float from JSON is taken as written (0.1 is 0.1), and stored to 4 decimals exactly."""
    indicator = add(office, "PEM-01")
    figures = put(office, indicator, "2026-Q1", target=0.3, realization=0.1)
    db.session.commit()
    db.session.expire_all()
    assert stored(indicator) == {"2026-Q1": (D("0.3"), D("0.1"))}
    assert figures.achievement.value == D("33.33")
    put(office, indicator, "2026-Q2", target=-0.0)
    assert stored(indicator)["2026-Q2"] == (D(0), None)
    assert str(stored(indicator)["2026-Q2"][0]).startswith("0")  # not -0


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"target": -1}, "negative_value"),
        ({"realization": D("-0.5")}, "negative_value"),
        ({"target": float("nan")}, "value_not_finite"),
        ({"target": float("inf")}, "value_not_finite"),
        ({"target": 10**11}, "value_too_large"),
        ({"target": D("1.23456")}, "value_too_precise"),
        ({"target": "12"}, "not_a_number"),
        ({"target": True}, "not_a_number"),
        ({"target": 0, "realization": 5}, "realization_on_zero_target"),
        ({}, "nothing_to_set"),
    ],
)
def test_bad_values_are_refused(office, values, code):
    """Negative, non-finite, oversized, over-precise and non-numeric values are 422s, as is a
    realisation against a zero target; nothing is stored."""
    indicator = add(office, "PEM-01")
    with pytest.raises(DomainError) as raised:
        put(office, indicator, "2026-Q1", **values)
    assert (raised.value.status, raised.value.code) == (422, code)
    assert stored(indicator) == {}


def test_a_zero_target_refuses_a_later_realization(office):
    """A zero target may be stored, but then no realisation may join it (nor the reverse)."""
    indicator = add(office, "PEM-01")
    assert put(office, indicator, "2026-Q1", target=0).achievement.reason == "target_zero"
    with pytest.raises(DomainError) as raised:
        put(office, indicator, "2026-Q1", realization=3)
    assert raised.value.code == "realization_on_zero_target"
    put(office, indicator, "2026-Q2", target=5, realization=3)
    with pytest.raises(DomainError) as raised:
        put(office, indicator, "2026-Q2", target=0)
    assert raised.value.code == "realization_on_zero_target"


@pytest.mark.parametrize("period", ["2026-Q5", "2026Q1", "26", "1999", "2026-q1", "", "2026-Q1 "])
def test_bad_periods_are_refused(office, period):
    """A period is YYYY or YYYY-Q1..Q4 between 2000 and 2100."""
    indicator = add(office, "PEM-01")
    with pytest.raises(DomainError) as raised:
        put(office, indicator, period, target=1)
    assert (raised.value.status, raised.value.code) == (422, "invalid_period")


def test_explicit_year_values_win_over_the_quarters(office):
    """A year's own target wins; its missing realisation is made of the quarters."""
    indicator = add(office, "PEM-01", aggregation="sum")
    for quarter, (t, r) in enumerate([(10, 9), (10, 11), (10, None), (10, None)], start=1):
        put(office, indicator, f"2026-Q{quarter}", target=t, realization=r)
    made = svc.values_of(indicator).years[0]
    assert (made.period, made.target, made.realization) == ("2026", D(40), D(20))
    assert (made.target_source, made.realization_source) == ("quarters", "quarters")
    assert made.achievement.value == D("50.00")
    put(office, indicator, "2026", target=25)
    year = svc.values_of(indicator).years[0]
    assert (year.target, year.realization) == (D(25), D(20))
    assert (year.target_source, year.realization_source) == ("entered", "quarters")
    assert year.achievement.value == D("80.00")


def test_values_list_every_period_and_year(office):
    """Every stored period is listed in order, with one aggregate per year."""
    indicator = add(office, "PEM-01", aggregation="last")
    put(office, indicator, "2026-Q2", target=100, realization=90)
    put(office, indicator, "2026-Q1", target=100, realization=80)
    put(office, indicator, "2027-Q1", target=100)
    values = svc.values_of(indicator)
    assert [f.period for f in values.periods] == ["2026-Q1", "2026-Q2", "2027-Q1"]
    assert [(y.period, y.target, y.realization) for y in values.years] == [
        ("2026", D(100), D(90)),
        ("2027", D(100), None),
    ]
    assert values.years[1].achievement.reason == "realization_missing"


# --- the scale is data ---------------------------------------------------------------------


def test_the_scale_is_data(office):
    """Moving a band's bound in the database moves the category with it."""
    svc.seed_category_bands()  # PostgreSQL tests start from emptied tables
    indicator = add(office, "PEM-01")
    assert put(office, indicator, "2026-Q1", target=100, realization=88).achievement.category == (
        svc.Category("tinggi", "Tinggi")
    )
    band = db.session.scalar(sa.select(CategoryBand).filter_by(code="sangat_tinggi"))
    band.min_achievement = D(85)
    band.name = "Istimewa"
    db.session.commit()
    figures = put(office, indicator, "2026-Q1", realization=88)
    assert figures.achievement.category == svc.Category("sangat_tinggi", "Istimewa")
    assert measurement_sheet("2026-Q1").bands[0].min_achievement == D(85)


def test_the_seeded_scale_is_the_default(office):
    """The scale in the database, seeded by the migration, is the default one."""
    svc.seed_category_bands()
    assert svc.current_bands() == DEFAULT_BANDS


def test_an_empty_scale_falls_back_to_the_default(office):
    """With every band deleted, the default scale still names the categories."""
    db.session.execute(sa.delete(CategoryBand))
    assert svc.current_bands() == DEFAULT_BANDS


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


# --- the measurement sheet -----------------------------------------------------------------


@pytest.fixture
def small_setup(office):
    """Pemerintahan: 95.00, 70.00 and one without realisation; trantib: 66.67; kesos: none;
    and an inactive indicator that must not count."""
    a1 = add(office, "A1", name="Persentase LPPD tepat waktu")
    a2 = add(office, "A2", polarity="negative", unit="kasus", aggregation="average")
    a3 = add(office, "A3", aggregation="last")
    b1 = add(office, "B1", section="trantib")
    gone = add(office, "A0")
    gone.active = False
    put(office, a1, "2026-Q1", target=100, realization=95)
    put(office, a2, "2026-Q1", target=10, realization=13)
    put(office, a3, "2026-Q1", target=50)
    put(office, b1, "2026-Q1", target=3, realization=2)
    put(office, gone, "2026-Q1", target=100, realization=1)
    # Second quarter, for the year: A1 sums to 100/200, A2 averages to 10/12.
    put(office, a1, "2026-Q2", target=100, realization=5)
    put(office, a2, "2026-Q2", target=10, realization=11)
    db.session.commit()
    return office


def test_measurement_sheet_summaries(small_setup):
    """Sections average their measurable rows; the overall average weighs each indicator."""
    sheet = measurement_sheet("2026-Q1")
    assert [s.code for s in sheet.sections] == ["pemerintahan", "trantib", "kesos"]
    pem, trantib, kesos = sheet.sections
    assert [(r.code, r.achievement.value) for r in pem.rows] == [
        ("A1", D("95.00")),
        ("A2", D("70.00")),
        ("A3", None),
    ]
    assert pem.rows[0].name == "Persentase LPPD tepat waktu"
    assert (pem.rows[1].unit, pem.rows[1].polarity) == ("kasus", "negative")
    assert pem.rows[2].achievement.reason == "realization_missing"
    assert (pem.average, pem.category.code, pem.measurable, pem.not_measurable) == (
        D("82.50"),
        "tinggi",
        2,
        1,
    )
    assert (trantib.average, trantib.category.code) == (D("66.67"), "sedang")
    assert (kesos.rows, kesos.average, kesos.category.code) == ([], None, "not_measurable")
    # (95 + 70 + 66.67) / 3 = 77.2233…
    assert (sheet.average, sheet.category.code) == (D("77.22"), "tinggi")
    assert (sheet.measurable, sheet.not_measurable) == (3, 1)
    assert sheet.section("trantib") is trantib
    assert sheet.section("nowhere") is None


def test_measurement_sheet_of_a_year_uses_the_aggregate(small_setup):
    """A year's sheet aggregates each indicator's quarters by its own rule."""
    sheet = measurement_sheet("2026")
    rows = {r.code: r for r in sheet.sections[0].rows}
    assert (rows["A1"].target, rows["A1"].realization) == (D(200), D(100))
    assert rows["A1"].achievement.value == D("50.00")
    assert (rows["A2"].target, rows["A2"].realization) == (D(10), D(12))
    assert rows["A2"].achievement.value == D("80.00")  # (20 - 12) / 10
    assert rows["A3"].target == D(50)  # "last": the only quarter with a target
    # (50 + 80 + 66.67) / 3 = 65.5566…
    assert (sheet.average, sheet.category.code) == (D("65.56"), "rendah")


def test_measurement_sheet_of_an_empty_period(small_setup):
    """A period without values lists the indicators as not measurable, and no average."""
    sheet = measurement_sheet("2025-Q4")
    assert (sheet.average, sheet.category.code) == (None, "not_measurable")
    assert (sheet.measurable, sheet.not_measurable) == (0, 4)
    assert {r.achievement.reason for s in sheet.sections for r in s.rows} == {"target_missing"}
