"""The measurement's PDFs as an office files them (templates/reports, services/reports.py),
read back as word boxes (`pdftotext -bbox`) and objects (pypdf): the kop surat from the
office profile with its logo, numbers and words whole on their lines, first pages that are
not pushed nearly empty, the paraf and signature blocks, KONSEP on the draft only, and the
implausible values listed for the reviewers."""

import base64
import io
import re
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from html import unescape

import pytest
from pypdf import PdfReader

from app.rendering.format import format_number, format_percent
from tests.office_helpers import png_logo

PERIOD = "2026-Q1"
PROFILE = {
    "name": "Kecamatan Purbalingga",
    "government": "Pemerintah Kabupaten Purbalingga",
    "city": "Purbalingga",
    "base_url": "https://sakip.purbalinggakab.go.id",
    "address": "Jalan Jenderal Sudirman Nomor 1, Purbalingga 53311",
    "phone": "(0281) 891234",
    "email": "kecamatan@purbalinggakab.go.id",
    "website": "https://kecamatan.purbalinggakab.go.id",
}
# code, section, name, unit, polarity, target, realisation: long names, units with a slash,
# numbers of every width, and figures a reviewer should check (1.402,90 %, -150 %).
INDICATORS = [
    (
        "PEM-01",
        "pemerintahan",
        "Persentase desa/kelurahan yang menyampaikan laporan penyelenggaraan pemerintahan "
        "desa tepat waktu",
        "desa/kelurahan",
        "positive",
        "100",
        "92.31",
    ),
    (
        "PEM-02",
        "pemerintahan",
        "Jumlah penduduk yang memperoleh dokumen kependudukan",
        "jiwa",
        "positive",
        "1250000",
        "1187654.25",
    ),
    ("PEM-03", "pemerintahan", "Jumlah kegiatan fasilitasi", "kegiatan", "positive", "6", "84.174"),
    (
        "PEL-01",
        "pelayanan",
        "Rata-rata waktu penyelesaian layanan administrasi kependudukan",
        "hari kerja",
        "negative",
        "10",
        "35",
    ),
    (
        "PEL-02",
        "pelayanan",
        "Indeks Kepuasan Masyarakat terhadap pelayanan kecamatan",
        "nilai",
        "positive",
        "85",
        "83.0125",
    ),
    (
        "PEL-03",
        "pelayanan",
        "Nilai transaksi layanan",
        "rupiah",
        "positive",
        "99999999999",
        "98765432100.5",
    ),
]
# What xhtml2pdf prints bigger than text: the KONSEP watermark. Not a table's word.
WATERMARK_HEIGHT = 30
# The footer frame's band at the foot of every page ("Halaman X dari Y"), in points.
FOOTER_BAND = 62


@pytest.fixture
def office(api):
    """The office profile with every contact and a logo; two sections with their Kepala
    Seksi; the indicators above with their 2026-Q1 figures; a measurement of the period."""
    logo = base64.b64encode(png_logo((90, 100))).decode()
    response = api.client.put(
        "/api/v1/office", json={**PROFILE, "logo": logo}, headers=api.headers("admin")
    )
    assert response.status_code == 200, response.get_json()
    for code, name, head in [
        ("pemerintahan", "Seksi Pemerintahan", "kasi"),
        ("pelayanan", "Seksi Pelayanan Umum", "kasi2"),
    ]:
        body = {"code": code, "name": name, "head": head}
        response = api.post("/api/v1/sections", json=body, as_="admin")
        assert response.status_code == 201, response.get_json()
    for code, section, name, unit, polarity, target, realization in INDICATORS:
        body = {
            "code": code,
            "name": name,
            "unit": unit,
            "polarity": polarity,
            "aggregation": "sum",
            "section": section,
        }
        assert api.post("/api/v1/indicators", json=body, as_="admin").status_code == 201
        response = api.client.put(
            f"/api/v1/indicators/{code}/values/{PERIOD}",
            json={"target": float(target), "realization": float(realization)},
            headers=api.headers("anggota"),
        )
        assert response.status_code == 200, response.get_json()
    return api


@pytest.fixture
def instance(office, runner) -> dict:
    return runner.start(PERIOD)


def pdf(api, path: str) -> bytes:
    response = api.get(f"/api/v1/instances/{path}", as_="viewer")
    assert response.status_code == 200, response.get_json()
    return response.data


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: list[Word]

    def body(self) -> list[Word]:
        """The page's words less the footer band and the watermark."""
        return [
            w
            for w in self.words
            if w.y_min < self.height - FOOTER_BAND and w.y_max - w.y_min < WATERMARK_HEIGHT
        ]


WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


def word_boxes(content: bytes) -> list[Page]:
    """Every page's word boxes, as `pdftotext -bbox` finds them."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    return [
        Page(
            float(width),
            float(height),
            [
                Word(unescape(m[5]), float(m[1]), float(m[2]), float(m[3]), float(m[4]))
                for m in WORD.finditer(body)
            ],
        )
        for width, height, body in PAGE.findall(html)
    ]


def words_of(pages: list[Page]) -> set[str]:
    return {w.text for page in pages for w in page.words}


def achievement(polarity: str, target: str, realization: str) -> Decimal:
    t, r = Decimal(target), Decimal(realization)
    value = r / t * 100 if polarity == "positive" else (2 * t - r) / t * 100
    return value.quantize(Decimal("0.01"))


def number_tokens(section: str | None = None) -> set[str]:
    """Each number the indicator tables print (of one section's rows when given), as one
    token: target, realisation, capaian."""
    tokens = set()
    for _, in_section, _, _, polarity, target, realization in INDICATORS:
        if section not in (None, in_section):
            continue
        tokens.add(format_number(Decimal(target)))
        tokens.add(format_number(Decimal(realization)))
        tokens.add(format_percent(achievement(polarity, target, realization)))
    return tokens


DOCUMENTS = {
    "worksheet": "{id}/worksheets/pemerintahan.pdf",
    "recap": "{id}/recap.pdf",
    "draft": "{id}/report.pdf",
}


def test_numbers_and_words_of_the_tables_stay_whole(office, instance):
    """In the kertas kerja, the recap and the draft report, is every target, realisation
    and capaian one word on one line (no "1.402,9" over "0"), and is no word of an
    indicator's name or unit split mid-word?"""
    expected = {"1.250.000", "1.187.654,25", "1.402,90", "-150,00", "83,0125", "98.765.432.100,5"}
    assert expected <= number_tokens()
    for name, path in DOCUMENTS.items():
        words = words_of(word_boxes(pdf(office, path.format(id=instance["id"]))))
        tokens = number_tokens("pemerintahan" if name == "worksheet" else None)
        missing = sorted(t for t in tokens if t not in words)
        assert not missing, f"{name}: split or missing {missing}"
        for _, section, indicator_name, unit, *_ in INDICATORS:
            if name == "worksheet" and section != "pemerintahan":
                continue
            for word in f"{indicator_name} {unit.replace('/', '/ ')}".split():
                assert word in words, f"{name}: {word!r} split"


def test_first_pages_are_not_pushed_nearly_empty(office, instance, runner):
    """Does the first page of each document of more than one page carry text well past its
    middle (its lowest word below 60 % of the page), rather than a letterhead with a table
    or chart pushed whole to page 2? The timeline is tried with twelve tasks."""
    runner.walk_to(instance["id"], 12)
    paths = {**DOCUMENTS, "timeline": "{id}/timeline.pdf"}
    for name, path in paths.items():
        pages = word_boxes(pdf(office, path.format(id=instance["id"])))
        if len(pages) < 2:
            continue
        first = pages[0]
        lowest = max(w.y_max for w in first.body())
        assert lowest > 0.6 * first.height, f"{name}: page 1 ends at {lowest / first.height:.0%}"
    assert len(word_boxes(pdf(office, paths["timeline"].format(id=instance["id"])))) >= 2


def test_the_kop_surat_carries_the_profile_and_the_logo(office, instance):
    """Does the first page of every document print the profile's address, telephone,
    e-mail and website, each contact whole on one line, and draw the logo as an image?"""
    for path in (*DOCUMENTS.values(), "{id}/timeline.pdf"):
        content = pdf(office, path.format(id=instance["id"]))
        first = word_boxes(content)[0]
        lines: dict[float, list[str]] = {}
        for word in first.words:
            lines.setdefault(round(word.y_max), []).append(word.text)
        text = [" ".join(words) for words in lines.values()]
        for fact in ("Sudirman Nomor 1, Purbalingga 53311", "Telepon (0281) 891234",
                     "Pos-el kecamatan@purbalinggakab.go.id",
                     "Laman https://kecamatan.purbalinggakab.go.id"):  # fmt: skip
            assert any(fact in line for line in text), f"{path}: {fact!r} not on one line"
        page = PdfReader(io.BytesIO(content)).pages[0]
        assert len(page.images) >= 1, f"{path}: no logo on page 1"
        logo = max(page.images, key=lambda image: len(image.data))
        assert logo.image.size == (90, 100)


def page_texts(content: bytes) -> list[str]:
    return [" ".join(w.text for w in page.words) for page in word_boxes(content)]


def test_the_draft_says_konsep(office, instance):
    """Is the draft marked KONSEP on every page, in Indonesian, and never DRAFT?"""
    draft = page_texts(pdf(office, DOCUMENTS["draft"].format(id=instance["id"])))
    assert all("KONSEP" in page for page in draft)
    assert not any("DRAFT" in page for page in draft)


def test_reviewers_get_the_implausible_values(office, instance):
    """Do the recap and the draft list, under "Catatan untuk Pemeriksa", the capaian above
    150 % and below 0 and the realisation more than three times its target, and no
    plausible row?"""
    for path in (DOCUMENTS["recap"], DOCUMENTS["draft"]):
        text = " ".join(page_texts(pdf(office, path.format(id=instance["id"]))))
        notes = text.split("Catatan untuk Pemeriksa")[1]
        assert "PEM-03" in notes and "1.402,90 % di atas 150 %" in notes
        assert "Realisasi 84,174 lebih dari 3 kali target 6." in notes
        assert "PEL-01" in notes and "-150,00 % di bawah 0 %" in notes
        assert "PEM-01" not in notes and "PEL-02" not in notes and "PEL-03" not in notes


def test_the_forms_carry_their_paraf_and_signatures(office, instance):
    """Does each kertas kerja close with the Tim SAKIP's paraf box (naming its members) and
    its Kepala Seksi's signature, and the recap with the paraf and the Sekcam's
    acknowledgement?"""
    worksheet = " ".join(page_texts(pdf(office, DOCUMENTS["worksheet"].format(id=instance["id"]))))
    assert "Paraf Anggota Tim SAKIP" in worksheet and "Pengguna Anggota" in worksheet
    assert "Kepala Seksi Pemerintahan," in worksheet and "Pengguna Kasi" in worksheet
    pelayanan = pdf(office, f"{instance['id']}/worksheets/pelayanan.pdf")
    assert "Pengguna Kasi2" in " ".join(page_texts(pelayanan))
    recap = " ".join(page_texts(pdf(office, DOCUMENTS["recap"].format(id=instance["id"]))))
    assert "Paraf Anggota Tim SAKIP" in recap
    assert "Mengetahui, Sekretaris Camat," in recap and "Pengguna Sekcam" in recap
