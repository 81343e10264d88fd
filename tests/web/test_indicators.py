"""The indicators page (app/web/indicators.py): the sheet per section, editing a row in
place, the preview while typing, and the import of a file."""

import io
import json
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Indicator, IndicatorValue, OrgUnit, User
from app.services import indicators as service
from app.web.indicators import current_quarter

PERIOD = "2026-Q1"
SAVE = "/indicators/{code}/values/{period}"
PREVIEW = "/indicators/{code}/values/{period}/preview"


@pytest.fixture
def office(app, users):
    """Two sections with three indicators; PEM-01 has 2026-Q1 values (100, 80)."""
    with app.app_context():
        db.session.add(OrgUnit(code="pemerintahan", name="Seksi Pemerintahan", is_section=True))
        db.session.add(OrgUnit(code="trantib", name="Seksi Trantib", is_section=True))
        db.session.flush()
        admin = db.session.scalar(sa.select(User).filter_by(username="admin"))
        for code, section, polarity, unit in [
            ("PEM-01", "pemerintahan", "positive", "%"),
            ("PEM-02", "pemerintahan", "positive", "dokumen"),
            ("TRA-01", "trantib", "negative", "kasus"),
        ]:
            service.create_indicator(
                code=code,
                name=f"Indikator {code}",
                unit=unit,
                polarity=polarity,
                aggregation="sum",
                section=section,
                actor=admin,
            )
        service.set_value(
            service.get_indicator("PEM-01"),
            PERIOD,
            actor=admin,
            target=Decimal(100),
            realization=Decimal(80),
        )
        db.session.commit()
    return app


def stored(app, code: str, period: str = PERIOD) -> tuple[Decimal | None, Decimal | None]:
    """The stored (target, realization) of an indicator for a period."""
    with app.app_context():
        row = db.session.scalar(
            sa.select(IndicatorValue)
            .join(IndicatorValue.indicator)
            .where(IndicatorValue.period == period)
            .where(Indicator.code == code)
        )
        return (row.target, row.realization) if row else (None, None)


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def row_of(html: str, code: str) -> str:
    """Cut one indicator's row out of a page."""
    match = re.search(rf'<tr id="ind-{re.escape(code)}".*?</tr>', html, re.S)
    assert match, f"no row for {code}"
    return match.group(0)


def message_of(html: str, code: str) -> str:
    match = re.search(rf'<tr id="msg-{re.escape(code)}".*?</tr>', html, re.S)
    assert match, f"no message line for {code}"
    return match.group(0)


def test_page_shows_each_section_with_rows_and_summaries(office, pages):
    """Does the page show each section's table (code, name, unit, polarity, values, capaian,
    predikat), the section's average and the overall summary, numbers in Indonesian?"""
    html = pages("anggota").get(f"/indicators?period={PERIOD}").text
    assert "<h1>Indikator Kinerja</h1>" in html
    assert "Seksi Pemerintahan" in html and "Seksi Trantib" in html
    row = row_of(html, "PEM-01")
    assert "Indikator PEM-01" in row and ">%<" in row
    assert "lebih tinggi lebih baik" in row
    assert 'id="cap-PEM-01">80,00<' in row
    assert 'class="predikat predikat-tinggi">Tinggi<' in row
    assert "lebih rendah lebih baik" in row_of(html, "TRA-01")
    assert "realisasi belum diisi" not in row and "target belum diisi" in row_of(html, "PEM-02")
    summary = re.search(r'<tr id="sum-pemerintahan".*?</tr>', html, re.S).group(0)
    assert "80,00" in summary and "1 terukur, 1 tidak dapat diukur" in summary
    assert 'id="overall"' in html and "Ringkasan Triwulan I 2026" in html
    assert "1 indikator terukur, 2 tidak dapat diukur" in html


def test_default_period_is_the_current_quarter(office, pages):
    """Without a period, is the current quarter of the current year selected?"""
    html = pages("viewer").get("/indicators").text
    selected = re.search(r'<option value="([^"]+)" selected>', html).group(1)
    with office.app_context():
        assert selected == current_quarter()
    assert re.fullmatch(r"\d{4}-Q[1-4]", selected)


def test_section_filter_shows_one_section(office, pages):
    """Does `section` keep only that section's table (the overall summary stays)?"""
    html = pages("viewer").get(f"/indicators?period={PERIOD}&section=trantib").text
    assert 'id="ind-TRA-01"' in html and 'id="ind-PEM-01"' not in html
    assert 'id="overall"' in html


def test_nonsense_query_gets_a_message_not_a_crash(office, pages):
    """Are a malformed period and an unknown section refused inline (422), with the current
    quarter and every section shown instead?"""
    client = pages("viewer")
    bad_period = client.get("/indicators?period=2026-Q9")
    assert bad_period.status_code == 422
    assert "Periode harus berbentuk TTTT atau TTTT-Q1..Q4" in bad_period.text
    bad_section = client.get(f"/indicators?period={PERIOD}&section=tidak-ada")
    assert bad_section.status_code == 422
    assert "Seksi &#39;tidak-ada&#39; tidak dikenal." in bad_section.text
    assert 'id="ind-TRA-01"' in bad_section.text


def test_htmx_asks_for_the_sheet_only(office, pages):
    """Does an HTMX request (the period picker) get only the sheet, and a history restore the
    whole page?"""
    client = pages("viewer")
    partial = client.get(f"/indicators?period={PERIOD}", htmx=True)
    assert partial.text.startswith('<div id="indicator-sheet"')
    restore = client.get(
        f"/indicators?period={PERIOD}",
        htmx=True,
        headers={"HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.text


@pytest.mark.parametrize("username", ["kasi", "viewer", "camat", "sekcam"])
def test_other_roles_see_values_read_only(office, pages, username):
    """Do roles other than admin and anggota see the values without inputs, save buttons or
    the import form?"""
    html = pages(username).get(f"/indicators?period={PERIOD}").text
    row = row_of(html, "PEM-01")
    assert "<input" not in row and "Simpan" not in row
    assert ">100<" in row and ">80<" in row
    assert 'name="target"' not in html and "Impor nilai" not in html
    assert "Hanya admin dan anggota Tim SAKIP" in html


@pytest.mark.parametrize("username", ["anggota", "admin"])
def test_writers_see_inputs_and_the_import_form(office, pages, username):
    """Do the anggota and the admin get a target and a realisation input per row, holding the
    stored values in the form they type, and the import form?"""
    html = pages(username).get(f"/indicators?period={PERIOD}").text
    row = row_of(html, "PEM-01")
    assert re.search(r'<input[^>]*name="target"[^>]*value="100"', row, re.S)
    assert re.search(r'<input[^>]*name="realization"[^>]*value="80"', row, re.S)
    assert 'hx-trigger="input changed delay:400ms"' in row
    assert 'name="csrf_token"' in row and ">Simpan<" in row
    assert "Impor nilai dari berkas" in html


def test_anggota_saves_a_row(office, pages):
    """Does a save store the typed values, answer the row with its new capaian, predikat and
    a "tersimpan" mark, and refresh the section's summary and the overall one out of band?"""
    response = pages("anggota").post(
        SAVE.format(code="PEM-01", period=PERIOD),
        {
            "target": "100",
            "realization": "91,25",
            "original_target": "100",
            "original_realization": "80",
        },
    )
    assert response.status_code == 200
    assert stored(office, "PEM-01") == (Decimal(100), Decimal("91.25"))
    html = response.text
    assert re.search(r'id="cap-PEM-01" hx-swap-oob="true">91,25<', html)
    assert "Sangat Tinggi" in html and "✓ tersimpan" in html
    assert re.search(r'<tr id="sum-pemerintahan" class="section-summary" hx-swap-oob="true">', html)
    assert re.search(r'<template>\s*<section id="overall"[^>]*hx-swap-oob="true"', html)
    # The inputs are never swapped under the user's fingers.
    assert 'id="in-target-PEM-01" hx-swap-oob' not in html


def test_save_writes_only_what_was_changed(office, pages):
    """Does a row that changed only its realisation leave a target someone else stored since
    the page was shown as it is (and rewrite that input with it)?"""
    with office.app_context():
        admin = db.session.scalar(sa.select(User).filter_by(username="admin"))
        service.set_value(service.get_indicator("PEM-01"), PERIOD, actor=admin, target=120)
        db.session.commit()
    response = pages("anggota").post(
        SAVE.format(code="PEM-01", period=PERIOD),
        {
            "target": "100",
            "realization": "90",
            "original_target": "100",
            "original_realization": "80",
        },
    )
    assert response.status_code == 200
    assert stored(office, "PEM-01") == (Decimal(120), Decimal(90))
    assert re.search(
        r'id="in-target-PEM-01" hx-swap-oob="true">\s*<input[^>]*value="120"', response.text
    )


def test_year_row_leaves_its_quarter_made_target_alone(office, pages):
    """On the year's sheet, does changing a realisation keep the target made of the quarters
    (not pinned as a year value), and show the hint about year figures?"""
    client = pages("anggota")
    client.post(
        SAVE.format(code="PEM-01", period="2026-Q2"), {"target": "100", "realization": "90"}
    )
    html = client.get("/indicators?period=2026").text
    assert "Nilai tahunan yang tidak diisi sendiri dihitung dari triwulannya" in html
    row = row_of(html, "PEM-01")
    assert re.search(r'name="target"[^>]*value="200"', row, re.S)
    assert re.search(r'name="realization"[^>]*value="170"', row, re.S)
    response = client.post(
        SAVE.format(code="PEM-01", period="2026"),
        {
            "target": "200",
            "realization": "150",
            "original_target": "200",
            "original_realization": "170",
        },
    )
    assert response.status_code == 200
    assert stored(office, "PEM-01", "2026") == (None, Decimal(150))
    assert re.search(r'id="cap-PEM-01" hx-swap-oob="true">75,00<', response.text)


def test_save_without_a_change_is_204(office, pages):
    """Is a save whose values equal what the page showed a no-op (204, no audit event)?"""
    client = pages("anggota")
    before = audit_count(office)
    response = client.post(
        SAVE.format(code="PEM-01", period=PERIOD),
        {
            "target": "100,0",
            "realization": "80",
            "original_target": "100",
            "original_realization": "80",
        },
    )
    assert response.status_code == 204
    assert audit_count(office) == before


def test_preview_computes_without_saving(office, pages):
    """Does the preview answer the row with the capaian and predikat of what is typed, and
    change nothing in the database?"""
    client = pages("anggota")
    before = audit_count(office)
    response = client.post(
        PREVIEW.format(code="PEM-01", period=PERIOD),
        {
            "target": "100",
            "realization": "60.5",
            "original_target": "100",
            "original_realization": "80",
        },
    )
    assert response.status_code == 200
    assert re.search(r'id="cap-PEM-01" hx-swap-oob="true">60,50<', response.text)
    assert "predikat-rendah" in response.text and "belum disimpan" in response.text
    assert stored(office, "PEM-01") == (Decimal(100), Decimal(80))
    assert audit_count(office) == before


def test_preview_of_a_negative_indicator(office, pages):
    """Does the preview use the indicator's polarity: lower is better, (2t − r) / t?"""
    response = pages("anggota").post(
        PREVIEW.format(code="TRA-01", period=PERIOD), {"target": "10", "realization": "12"}
    )
    assert re.search(r'id="cap-TRA-01" hx-swap-oob="true">80,00<', response.text)
    assert "predikat-tinggi" in response.text


BAD_VALUES = [
    ({"realization": "abc"}, "Nilai realisasi harus berupa angka."),
    ({"realization": "12%"}, "Nilai realisasi harus berupa angka."),
    ({"realization": "1e3"}, "Nilai realisasi harus berupa angka."),
    ({"realization": "NaN"}, "Nilai realisasi harus berupa angka."),
    ({"realization": "-5"}, "Nilai realisasi tidak boleh negatif."),
    ({"target": "-1"}, "Nilai target tidak boleh negatif."),
    ({"realization": "91,12345"}, "Nilai realisasi paling banyak 4 angka di belakang koma."),
    ({"realization": "9" * 20}, "Nilai realisasi terlalu besar"),
    ({"target": "0"}, "Target periode 2026-Q1 bernilai 0"),
    ({"realization": "x" * 41}, "Nilai terlalu panjang"),
]


@pytest.mark.parametrize("endpoint", [SAVE, PREVIEW])
@pytest.mark.parametrize(("fields", "message"), BAD_VALUES)
def test_bad_value_is_refused_inline_and_changes_nothing(office, pages, endpoint, fields, message):
    """Is a bad value answered 422 with a clear Indonesian message on that row's message line,
    the database and the audit trail untouched?"""
    client = pages("anggota")
    before = audit_count(office)
    body = {
        "target": "100",
        "realization": "80",
        "original_target": "100",
        "original_realization": "80",
        **fields,
    }
    response = client.post(endpoint.format(code="PEM-01", period=PERIOD), body)
    assert response.status_code == 422
    line = message_of(response.text, "PEM-01")
    assert message in line and "hidden" not in line.split(">", 1)[0]
    assert stored(office, "PEM-01") == (Decimal(100), Decimal(80))
    assert audit_count(office) == before


@pytest.mark.parametrize(
    ("text", "value"),
    [("91,25", "91.25"), ("91.25", "91.25"), ("1.234,5", "1234.5"), ("1234", "1234"), ("0", "0")],
)
def test_indonesian_number_input(office, pages, text, value):
    """Are "91,25" and "91.25" the same number, and "1.234,5" a thousand and more?"""
    response = pages("anggota").post(
        SAVE.format(code="PEM-02", period=PERIOD), {"target": "2000", "realization": text}
    )
    assert response.status_code == 200
    assert stored(office, "PEM-02") == (Decimal(2000), Decimal(value))


def test_read_only_values_are_written_in_indonesian(office, pages):
    """Does a viewer see 1234.5 written as "1.234,5"?"""
    pages("anggota").post(
        SAVE.format(code="PEM-02", period=PERIOD), {"target": "2000", "realization": "1234,5"}
    )
    row = row_of(pages("viewer").get(f"/indicators?period={PERIOD}").text, "PEM-02")
    assert ">2.000<" in row and ">1.234,5<" in row and ">61,73<" in row


@pytest.mark.parametrize("endpoint", [SAVE, PREVIEW])
def test_other_roles_cannot_save_or_preview(office, pages, endpoint):
    """Is a kasi's post refused (403) with the reason on the row, and nothing changed?"""
    response = pages("kasi").post(
        endpoint.format(code="PEM-01", period=PERIOD), {"target": "100", "realization": "99"}
    )
    assert response.status_code == 403
    assert "Anda tidak berwenang" in message_of(response.text, "PEM-01")
    assert stored(office, "PEM-01") == (Decimal(100), Decimal(80))


def test_bad_period_in_the_url_is_refused(office, pages):
    """Is a save for a malformed period refused inline, not a crash?"""
    response = pages("anggota").post(
        SAVE.format(code="PEM-01", period="2026-Q7"), {"target": "1", "realization": "1"}
    )
    assert response.status_code == 422
    assert "Periode harus berbentuk" in message_of(response.text, "PEM-01")


def test_unknown_indicator_is_404(office, pages):
    """Does a save for an indicator that does not exist answer 404?"""
    response = pages("anggota").post(
        SAVE.format(code="NOPE-99", period=PERIOD), {"realization": "1"}, htmx=False
    )
    assert response.status_code == 404


def test_save_without_htmx_redirects_with_a_flash(office, pages):
    """Without JavaScript, does the row's Simpan save and come back to the page with a
    message, and a bad value show the page with the row's message inline?"""
    client = pages("anggota")
    response = client.post(
        SAVE.format(code="PEM-01", period=PERIOD) + "?section=pemerintahan",
        {"target": "100", "realization": "95"},
        htmx=False,
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/indicators?period={PERIOD}&section=pemerintahan#ind-PEM-01"
    )
    page = client.get(response.headers["Location"]).text
    assert "PEM-01 periode 2026-Q1 tersimpan." in page
    refused = client.post(
        SAVE.format(code="PEM-01", period=PERIOD), {"realization": "sembilan"}, htmx=False
    )
    assert refused.status_code == 422
    assert "<html" in refused.text
    assert "Nilai realisasi harus berupa angka." in message_of(refused.text, "PEM-01")
    assert stored(office, "PEM-01") == (Decimal(100), Decimal(95))


def upload(client, content: str, filename: str = "nilai.csv", period: str = PERIOD):
    return client.post(
        "/indicators/import",
        {"file": (io.BytesIO(content.encode()), filename), "period": period},
        htmx=False,
        content_type="multipart/form-data",
    )


def test_import_applies_every_row(office, pages):
    """Does an import of a good CSV file apply every row and say "N baris diterapkan"?"""
    client = pages("anggota")
    response = upload(
        client,
        "indikator;periode;target;realisasi\nPEM-02;2026-Q1;10;7,5\nTRA-01;2026-Q1;20;18\n",
    )
    assert response.status_code == 302
    assert stored(office, "PEM-02") == (Decimal(10), Decimal("7.5"))
    assert stored(office, "TRA-01") == (Decimal(20), Decimal(18))
    page = client.get(response.headers["Location"]).text
    assert "2 baris diterapkan" in page
    assert 'id="cap-PEM-02">75,00<' in page


def test_import_json_file(office, pages):
    """Is a JSON file (e-Kinerja's export) imported too?"""
    rows = {"rows": [{"indicator": "PEM-02", "period": "2026-Q2", "target": 5}]}
    response = upload(pages("admin"), json.dumps(rows), "nilai.json")
    assert response.status_code == 302
    assert stored(office, "PEM-02", "2026-Q2") == (Decimal(5), None)


def test_import_with_bad_rows_changes_nothing_and_lists_them(office, pages):
    """Does one bad row refuse the whole file, with every bad row listed (row, field,
    message) on the page and nothing changed?"""
    client = pages("anggota")
    before = audit_count(office)
    response = upload(
        client,
        "indikator,periode,target,realisasi\n"
        "PEM-02,2026-Q1,10,7\n"
        "XXX-09,2026-Q1,10,7\n"
        "TRA-01,2026-Q1,20,banyak\n"
        "PEM-01,2026-Q5,1,1\n",
    )
    assert response.status_code == 422
    html = response.text
    assert "Impor dibatalkan, tidak ada data yang diubah: 3 baris bermasalah." in html
    table = re.search(r'<div id="import-result".*?</table>', html, re.S).group(0)
    cells = [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        for tr in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    ]
    assert [c[:2] for c in cells] == [
        ["2 (baris berkas 3)", "indikator"],
        ["3 (baris berkas 4)", "realisasi"],
        ["4 (baris berkas 5)", "periode"],
    ]
    assert "Indikator &#39;XXX-09&#39; tidak dikenal." in cells[0][2]
    assert cells[1][2] == "Nilai realisasi harus berupa angka."
    assert stored(office, "PEM-02") == (None, None)
    assert audit_count(office) == before


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        ("", "kosong.csv", "Data impor tidak dapat dibaca"),
        ("a,b\n1,2\n", "nilai.csv", "Data impor tidak dapat dibaca"),
        ("{bukan json", "nilai.json", "Data impor tidak dapat dibaca"),
        ("indikator,periode,realisasi\n", "nilai.csv", "Data impor tidak dapat dibaca"),
        ("x", "nilai.xlsx", "Data impor tidak dapat dibaca"),
        ("x", "nilai.xls", "Hanya berkas .csv, .xlsx atau .json"),
    ],
)
def test_unreadable_import_is_refused_on_the_page(office, pages, content, filename, message):
    """Is an unreadable file or a wrong file type refused with a message on the page?"""
    response = upload(pages("anggota"), content, filename)
    assert response.status_code == 422
    assert message in response.text


def test_import_by_a_kasi_is_refused(office, pages):
    """Is an import posted by a kasi refused, with nothing changed?"""
    response = upload(pages("kasi"), "indikator,periode,target\nPEM-02,2026-Q1,10\n")
    assert response.status_code == 403
    assert "Anda tidak berwenang" in response.text
    assert stored(office, "PEM-02") == (None, None)


def test_measurement_page_links_to_its_indicators(office, pages, runner):
    """Does a measurement's page link to the indicators of its period?"""
    instance = runner.start("2026-Q3")
    html = pages("viewer").get(f"/instances/{instance['id']}").text
    assert 'href="/indicators?period=2026-Q3"' in html


def test_nav_links_to_the_indicators(office, pages):
    """Is the indicators page in every signed-in user's menu?"""
    assert 'href="/indicators"' in pages("viewer").get("/").text
