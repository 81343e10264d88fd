"""Tests for the PDF reports (app/services/reports.py) and generated outputs in definitions."""

import copy
import dataclasses
import io
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from pypdf import PdfReader

from app.config import Config
from app.errors import DomainError
from app.extensions import db
from app.models import SopVersion, User
from app.services import indicators, reports, routing
from app.services.indicators import (
    NOT_MEASURABLE,
    Achievement,
    Category,
    MeasurementSheet,
    SectionSheet,
    WorksheetRow,
)
from app.services.office import update_office_profile
from app.services.sop_definitions import (
    SopDefinitionError,
    definition_of,
    known_generators,
    load_definition_file,
    parse_definition,
)
from tests.helpers import pdf_text

SHIPPED = Path(Config.SOP_DIR) / "pengukuran-kinerja.yaml"
SANGAT_TINGGI = Category("sangat_tinggi", "Sangat Tinggi")
TINGGI = Category("tinggi", "Tinggi")


def row(code, name, unit, polarity, target, realization, value, category, reason=None):
    """A worksheet row with its achievement written out, as the indicators service gives it."""
    return WorksheetRow(
        code=code,
        name=name,
        unit=unit,
        polarity=polarity,
        target=None if target is None else Decimal(target),
        realization=None if realization is None else Decimal(realization),
        achievement=Achievement(
            value=None if value is None else Decimal(value), category=category, reason=reason
        ),
    )


def fake_sheet(period: str) -> MeasurementSheet:
    """Two sections with indicators and one without; one indicator is not measurable."""
    pemerintahan = SectionSheet(
        code="pemerintahan",
        name="Seksi Pemerintahan",
        rows=[
            row(
                "PEM-01",
                "Persentase desa yang tertib administrasi pemerintahan",
                "%",
                "positive",
                "80.0000",
                "73.0000",
                "91.25",
                SANGAT_TINGGI,
            ),
            row(
                "PEM-02",
                "Jumlah pelanggaran administrasi kependudukan",
                "kasus",
                "negative",
                "10",
                "12",
                "80.00",
                TINGGI,
            ),
        ],
        average=Decimal("85.63"),
        category=TINGGI,
    )
    pelayanan = SectionSheet(
        code="pelayanan",
        name="Seksi Pelayanan Umum",
        rows=[
            row(
                "PEL-01",
                "Jumlah warga yang dilayani",
                "orang",
                "positive",
                "1500",
                "1234.5",
                "82.30",
                TINGGI,
            ),
            row(
                "PEL-02",
                "Persentase pengaduan yang diselesaikan",
                "%",
                "positive",
                "0",
                None,
                None,
                NOT_MEASURABLE,
                "target_zero",
            ),
        ],
        average=Decimal("82.30"),
        category=TINGGI,
    )
    kesos = SectionSheet("kesos", "Seksi Kesejahteraan Sosial", [], None, NOT_MEASURABLE)
    return MeasurementSheet(
        period=period,
        sections=[pemerintahan, pelayanan, kesos],
        average=Decimal("84.52"),
        category=TINGGI,
        measurable=3,
        not_measurable=1,
    )


@pytest.fixture
def sheet(monkeypatch):
    """Replace the indicators service's measurement sheet with `fake_sheet`."""
    monkeypatch.setattr(indicators, "measurement_sheet", fake_sheet)


@pytest.fixture
def instance(app_ctx, users):
    """A measurement of 2026-Q1 at step 1, started by the Camat "Drs. Bambang Widodo"."""
    camat = db.session.get(User, users["camat"])
    camat.full_name = "Drs. Bambang Widodo, M.Si."
    camat.nip = "197003121990031005"
    instance = routing.start_instance(sop_code="pengukuran-kinerja", period="2026-Q1", actor=camat)
    db.session.commit()
    return instance


def pages(content: bytes) -> list[str]:
    """The text of each page of a PDF, each run of white space as one space (table cells
    wrap their text onto several lines)."""
    return [" ".join(page.split()) for page in pdf_text(content).split("\f")]


def text_of(content: bytes) -> str:
    """The text of a PDF, pages and white space runs as one space."""
    return " ".join(pages(content))


def embedded_fonts(content: bytes) -> set[str]:
    """The base names of the fonts whose program is embedded in the PDF."""
    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts") or [font]:
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor and "/FontFile2" in descriptor.get_object():
                    names.add(str(font["/BaseFont"]).split("+")[-1])
    return names


# --- the documents -----------------------------------------------------------------------


def test_worksheet_shows_one_section_with_its_figures(instance, sheet):
    """A section's kertas kerja names it, its indicators, their figures and its average."""
    text = text_of(reports.worksheet_pdf(instance, "pemerintahan"))
    for expected in (
        "PEMERINTAH KABUPATEN PURBALINGGA",
        "KECAMATAN PURBALINGGA",
        "KERTAS KERJA PENGUKURAN KINERJA",
        "SEKSI PEMERINTAHAN",
        "Triwulan I 2026",
        "Persentase desa yang tertib administrasi pemerintahan",
        "Jumlah pelanggaran administrasi kependudukan",
        "91,25",
        "80,00",
        "85,63",
        "Sangat Tinggi",
        "Negatif",
        "Halaman 1 dari 1",
    ):
        assert expected in text, expected
    assert "Seksi Pelayanan Umum" not in text


def test_worksheet_of_an_unknown_section_is_404(instance, sheet):
    """Asking for a section the measurement does not have is a 404 naming it."""
    with pytest.raises(DomainError) as caught:
        reports.worksheet_pdf(instance, "tidak-ada")
    assert caught.value.status == 404
    assert "tidak-ada" in caught.value.message("en")


def test_worksheets_put_one_section_per_page(instance, sheet):
    """All worksheets come as one PDF, a page per section with indicators."""
    texts = pages(reports.worksheets_pdf(instance))
    assert len(texts) == 2
    assert "SEKSI PEMERINTAHAN" in texts[0] and "Seksi Pelayanan Umum" not in texts[0]
    assert "SEKSI PELAYANAN UMUM" in texts[1] and "1.234,5" in texts[1]
    assert "Halaman 2 dari 2" in texts[1]


def test_a_not_measurable_indicator_says_why(instance, sheet):
    """An indicator without an achievement shows a dash, "Tidak dapat diukur" and the reason."""
    text = text_of(reports.worksheet_pdf(instance, "pelayanan"))
    assert "Tidak dapat diukur" in text
    assert "target bernilai 0" in text
    assert "1.500" in text and "1.234,5" in text and "82,30" in text


def test_font_is_embedded_and_prints_signs_beyond_latin_1(instance, sheet):
    """DejaVu Sans is embedded, so "≥" and "−" in a template come out as themselves."""
    content = reports.worksheet_pdf(instance, "pemerintahan")
    text = text_of(content)
    assert "≥ 100" in text
    assert "(2 × target − realisasi)" in text
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= embedded_fonts(content)


def test_typed_text_is_printed_not_interpreted(instance, monkeypatch):
    """Markup in an indicator's or a section's name prints as typed, in the table and chart."""
    name = 'Rasio <b>R&D</b> & "layanan" <img src="/etc/passwd">'

    def sheet_with_markup(period):
        sheet = fake_sheet(period)
        first = sheet.sections[0]
        rows = [dataclasses.replace(first.rows[0], name=name)]
        sections = [dataclasses.replace(first, name=f"Seksi {name}", rows=rows)]
        return dataclasses.replace(sheet, sections=sections)

    monkeypatch.setattr(indicators, "measurement_sheet", sheet_with_markup)
    text = text_of(reports.recap_pdf(instance))
    assert text.count(name) >= 3  # the table, the section heading, the summary


def test_charts_draw_with_the_bundled_font(instance, sheet):
    """The chart's "DejaVu Sans" is the font shipped in app/reports/fonts, not a system one."""
    from svglib.fonts import find_font

    text = text_of(reports.recap_pdf(instance))
    assert "Capaian kinerja per bagian" in text
    assert find_font("DejaVu Sans") == ("SakipDejaVuSans", True)
    assert find_font("DejaVu Sans", "bold") == ("SakipDejaVuSans-Bold", True)


def test_recap_has_every_section_the_summary_and_the_chart(instance, sheet):
    """The recap holds each measured section's table, the summary per section and overall,
    and the chart of achievement by section."""
    text = text_of(reports.recap_pdf(instance))
    for expected in (
        "REKAPITULASI HASIL PENGUKURAN KINERJA",
        "1. Seksi Pemerintahan",
        "2. Seksi Pelayanan Umum",
        "Rata-rata capaian Seksi Pemerintahan",
        "85,63",
        "82,30",
        "Kecamatan Purbalingga (keseluruhan)",
        "84,52",
        "Indikator terukur: 3; tidak dapat diukur: 1.",
        "Grafik Capaian per Bagian",
        "84,52 % · Tinggi",
    ):
        assert expected in text, expected
    # A section without indicators is in the summary, with no table of its own.
    assert "Seksi Kesejahteraan Sosial" in text
    assert "3. Seksi Kesejahteraan Sosial" not in text


def test_draft_report_is_marked_draft_on_every_page(instance, sheet):
    """The draft says KONSEP on every page, and carries the Camat's signature block."""
    content = reports.report_pdf(instance, final=False)
    texts = pages(content)
    assert len(texts) >= 2
    assert all("KONSEP" in page for page in texts)
    text = "\n".join(texts)
    for expected in (
        "LAPORAN HASIL PENGUKURAN KINERJA",
        "I. Pendahuluan",
        "Seksi Pemerintahan",
        "84,52",
        "Dikembalikan untuk perbaikan",
        "CAMAT PURBALINGGA",
        "Drs. Bambang Widodo, M.Si.",
        "NIP. 19700312 199003 1 005",
        f"Halaman 1 dari {len(texts)}",
    ):
        assert expected in text, expected


def test_final_report_is_not_marked_draft(instance, sheet):
    """The report for signing has no KONSEP mark anywhere, and the signature block."""
    text = text_of(reports.report_pdf(instance, final=True))
    assert "KONSEP" not in text
    assert "Purbalingga, " in text
    assert "Drs. Bambang Widodo, M.Si." in text


def test_report_without_a_camat_leaves_the_signature_blank(instance, sheet):
    """With nobody holding the camat role, the name and NIP are left as lines to fill in."""
    db.session.execute(sa.update(User).values(is_active_account=False))
    text = text_of(reports.report_pdf(instance, final=True))
    assert "Drs. Bambang Widodo" not in text
    assert "NIP. ....." in text


def test_timeline_compares_each_step_with_its_mutu_baku(instance, sheet):
    """The timeline PDF lists each task with its standard and working time, and the chart."""
    text = text_of(reports.timeline_pdf(instance))
    for expected in (
        "WAKTU PELAKSANAAN TERHADAP MUTU BAKU",
        "Camat memerintahkan Sekcam untuk melaksanakan pengukuran kinerja",
        "15 menit",
        "Sedang berjalan",
        "Langkah 1",
        "Halaman 1 dari 1",
    ):
        assert expected in text, expected


def test_office_address_comes_from_the_office_profile(instance, sheet):
    """The letterhead's address line is the office profile's, once the admin sets it."""
    admin = db.session.scalar(sa.select(User).filter_by(username="admin"))
    update_office_profile({"address": "Jl. Contoh No. 1, Purbalingga"}, actor=admin)
    text = text_of(reports.worksheet_pdf(instance, "pemerintahan"))
    assert "Jl. Contoh No. 1, Purbalingga" in text


# --- generated outputs in the definition -------------------------------------------------


def shipped_data() -> dict:
    """The shipped definition's canonical data, a fresh copy to edit."""
    return copy.deepcopy(load_definition_file(SHIPPED)[1])


def test_reports_register_their_generators():
    """The reports service names its generators to the definitions' validation."""
    assert set(reports.GENERATORS) <= (known_generators() or set())
    assert {"worksheets", "recap", "draft_report", "final_report"} <= set(reports.GENERATORS)


def test_shipped_steps_7_to_12_name_their_generators():
    """Steps 7, 8, 9 and 11 of the shipped SOP make their documents with the generators, and
    step 12's signed report is made by signing."""
    definition, _ = load_definition_file(SHIPPED)
    generated = {s.no: dict(s.generated_outputs) for s in definition.steps if s.generated_outputs}
    assert generated == {
        7: {"Kertas Kerja Pengukuran Kinerja per Bagian": "worksheets"},
        8: {"Rekapitulasi Hasil Pengukuran Kinerja": "recap"},
        9: {"Draft Laporan Hasil Pengukuran Data Kinerja": "draft_report"},
        11: {"Laporan Hasil Pengukuran Kinerja": "final_report"},
        12: {"Laporan Hasil Pengukuran Kinerja yang Sudah Ditandatangani": "signed_report"},
    }
    assert definition.step(11).generator_of("Lembar Disposisi") is None


def test_generated_output_must_be_an_output_of_the_step():
    """A generated kind that is not among the step's outputs is refused, naming the step."""
    data = shipped_data()
    data["steps"][6]["generated_outputs"] = {"Notulen Rapat": "worksheets"}
    with pytest.raises(SopDefinitionError, match=r"steps\[6\]\.generated_outputs.*Notulen"):
        parse_definition(data, "uji.yaml", generators=reports.GENERATORS)


def test_generator_must_be_a_known_one():
    """A generator name nobody registered is refused, with the known names listed."""
    data = shipped_data()
    data["steps"][7]["generated_outputs"] = {"Rekapitulasi Hasil Pengukuran Kinerja": "rekap"}
    with pytest.raises(SopDefinitionError, match="unknown generator 'rekap'.*recap"):
        parse_definition(data, "uji.yaml", generators=reports.GENERATORS)
    with pytest.raises(SopDefinitionError, match="generated_outputs"):
        bad = copy.deepcopy(data)
        bad["steps"][7]["generated_outputs"] = {"Rekapitulasi Hasil Pengukuran Kinerja": "Re Kap"}
        parse_definition(bad, "uji.yaml", generators=None)


def test_steps_without_generated_outputs_keep_their_canonical_data(tmp_path):
    """A definition that generates nothing dumps no `generated_outputs`, so its content hash
    (and version) stays what it was before the field existed."""
    data = shipped_data()
    for step in data["steps"]:
        step.pop("generated_outputs", None)
    path = tmp_path / "tanpa-generator.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    _, canonical = load_definition_file(path)
    assert all("generated_outputs" not in step for step in canonical["steps"])


def test_a_stored_version_naming_a_retired_generator_still_loads():
    """A registered version whose generator has since gone still parses (generating it is
    refused instead), so the runs pinned to it keep working."""
    data = shipped_data()
    data["steps"][7]["generated_outputs"] = {"Rekapitulasi Hasil Pengukuran Kinerja": "lama"}
    version = SopVersion(id=0, version=99, content_sha256="e" * 64, definition=data)
    definition = definition_of(version)
    assert definition.step(8).generator_of("Rekapitulasi Hasil Pengukuran Kinerja") == "lama"
