"""Tests for the PDF reports and generated step outputs over the API (app/api/reports.py).

The indicators are real: created and measured through `/api/v1/indicators`.
"""

import pytest

from app.extensions import db
from app.models import OrgUnit, User
from tests.helpers import pdf_text

PERIOD = "2026-Q1"
WORKSHEETS = "Kertas Kerja Pengukuran Kinerja per Bagian"
RECAP = "Rekapitulasi Hasil Pengukuran Kinerja"
DRAFT_KIND = "Draft Laporan Hasil Pengukuran Data Kinerja"
REPORT = "Laporan Hasil Pengukuran Kinerja"

# code, name, unit, polarity, section, target, realisation
INDICATORS = [
    (
        "PEM-01",
        "Persentase desa yang tertib administrasi pemerintahan",
        "%",
        "positive",
        "pemerintahan",
        80,
        73,
    ),
    (
        "PEM-02",
        "Jumlah pelanggaran administrasi kependudukan",
        "kasus",
        "negative",
        "pemerintahan",
        10,
        12,
    ),
    ("PEL-01", "Jumlah warga yang dilayani", "orang", "positive", "pelayanan", 1500, 1234.5),
    ("PEL-02", "Persentase pengaduan yang diselesaikan", "%", "positive", "pelayanan", 0, None),
]


def text_of(content: bytes) -> str:
    """The text of a PDF with every run of white space as one space."""
    return " ".join(pdf_text(content).split())


def pages_of(content: bytes) -> list[str]:
    return pdf_text(content).split("\f")


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert body["error"]["status"] == response.status_code
    return body["error"]


@pytest.fixture
def office(app, users):
    """Three sections, and the Camat as the demo office names him."""
    with app.app_context():
        for code, name in [
            ("pemerintahan", "Seksi Pemerintahan"),
            ("pelayanan", "Seksi Pelayanan Umum"),
            ("kesos", "Seksi Kesejahteraan Sosial"),
        ]:
            db.session.add(OrgUnit(code=code, name=name, is_section=True))
        camat = db.session.get(User, users["camat"])
        camat.full_name = "Drs. Bambang Widodo, M.Si."
        camat.nip = "197003121990031005"
        db.session.commit()
    return app


@pytest.fixture
def measured(api, office):
    """Four indicators with their 2026-Q1 figures: 91,25 and 80,00 in the Seksi
    Pemerintahan (85,63), 82,30 and one not measurable in the Seksi Pelayanan Umum."""
    for code, name, unit, polarity, section, target, realization in INDICATORS:
        body = {
            "code": code,
            "name": name,
            "unit": unit,
            "polarity": polarity,
            "aggregation": "sum",
            "section": section,
        }
        response = api.post("/api/v1/indicators", json=body, as_="anggota")
        assert response.status_code == 201, response.get_json()
        values = {"target": target}
        if realization is not None:
            values["realization"] = realization
        response = api.client.put(
            f"/api/v1/indicators/{code}/values/{PERIOD}",
            json=values,
            headers=api.headers("anggota"),
        )
        assert response.status_code == 200, response.get_json()


@pytest.fixture
def instance(runner, measured) -> dict:
    """A measurement of 2026-Q1, at step 1."""
    return runner.start(PERIOD)


def get_pdf(api, path: str, as_: str = "viewer"):
    response = api.get(path, as_=as_)
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    return response


# --- reading the PDFs --------------------------------------------------------------------


def test_worksheet_of_a_section(api, instance):
    """GET worksheets/{section}.pdf is the section's kertas kerja with its real figures."""
    response = get_pdf(api, f"/api/v1/instances/{instance['id']}/worksheets/pemerintahan.pdf")
    assert response.headers["Content-Disposition"] == (
        "inline; filename=kertas-kerja-pengukuran-kinerja-pemerintahan-2026-Q1.pdf"
    )
    assert "no-store" in response.headers["Cache-Control"]
    text = text_of(response.data)
    for expected in (
        "SEKSI PEMERINTAHAN",
        "Persentase desa yang tertib administrasi pemerintahan",
        "Jumlah pelanggaran administrasi kependudukan",
        "91,25",
        "80,00",
        "85,63",
        "Sangat Tinggi",
        "Halaman 1 dari 1",
    ):
        assert expected in text, expected


def test_worksheet_of_an_unknown_section_is_404(api, instance):
    """A section the office does not have is a 404 in the one error shape."""
    response = api.get(f"/api/v1/instances/{instance['id']}/worksheets/tidak-ada.pdf")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_reports_of_an_unknown_instance_are_404(api, measured):
    """Every report of an instance that does not exist is a 404."""
    for path in ("worksheets/pemerintahan.pdf", "recap.pdf", "report.pdf", "timeline.pdf"):
        response = api.get(f"/api/v1/instances/999/{path}")
        assert response.status_code == 404, path
        assert error_of(response)["code"] == "not_found"


def test_reports_need_credentials(api, instance):
    """Without credentials every report is a 401."""
    for path in ("worksheets/pemerintahan.pdf", "recap.pdf", "report.pdf", "timeline.pdf"):
        response = api.get(f"/api/v1/instances/{instance['id']}/{path}", as_=None)
        assert response.status_code == 401, path


def test_recap_sums_up_every_section(api, instance):
    """The recap shows each section's figures and average, and the office's overall one."""
    response = get_pdf(api, f"/api/v1/instances/{instance['id']}/recap.pdf")
    disposition = response.headers["Content-Disposition"]
    assert disposition == "inline; filename=rekapitulasi-hasil-pengukuran-kinerja-2026-Q1.pdf"
    text = text_of(response.data)
    for expected in (
        "REKAPITULASI HASIL PENGUKURAN KINERJA",
        "Seksi Pemerintahan",
        "Seksi Pelayanan Umum",
        "1.500",
        "1.234,5",
        "82,30",
        "Tidak dapat diukur",
        "Kecamatan Purbalingga (keseluruhan)",
        "84,52",
        "Indikator terukur: 3; tidak dapat diukur: 1.",
        "Halaman 1 dari",
    ):
        assert expected in text, expected


def test_report_is_a_draft_until_the_measurement_is_complete(api, runner, instance):
    """report.pdf is marked KONSEP on every page while the measurement runs, and is the
    signed report without the mark once step 12 is signed; both carry the Camat's name and NIP."""
    path = f"/api/v1/instances/{instance['id']}/report.pdf"
    draft = get_pdf(api, path)
    disposition = draft.headers["Content-Disposition"]
    assert disposition == "inline; filename=konsep-laporan-hasil-pengukuran-kinerja-2026-Q1.pdf"
    assert all("KONSEP" in page for page in pages_of(draft.data))
    text = text_of(draft.data)
    assert "Drs. Bambang Widodo, M.Si." in text
    assert "NIP. 19700312 199003 1 005" in text
    assert "84,52" in text

    runner.advance(runner.walk_to(instance["id"], 12))
    final = get_pdf(api, path)
    disposition = final.headers["Content-Disposition"]
    assert disposition == (
        "inline; filename=laporan-hasil-pengukuran-kinerja-ditandatangani-2026-Q1.pdf"
    )
    text = text_of(final.data)
    assert "KONSEP" not in text
    assert "Drs. Bambang Widodo, M.Si." in text
    assert "NIP. 19700312 199003 1 005" in text


def test_timeline_pdf_compares_steps_with_the_mutu_baku(api, runner, instance):
    """timeline.pdf lists every task so far with its standard and its working time."""
    runner.walk_to(instance["id"], 3)
    response = get_pdf(api, f"/api/v1/instances/{instance['id']}/timeline.pdf")
    text = text_of(response.data)
    for expected in (
        "WAKTU PELAKSANAAN TERHADAP MUTU BAKU",
        "Camat memerintahkan Sekcam untuk melaksanakan pengukuran kinerja",
        "Kepala Seksi mengirim Nota Dinas",
        "15 menit",
        "30 menit",
        "Tepat waktu",
        "Sedang berjalan",
        "Halaman 1 dari",
    ):
        assert expected in text, expected


# --- generating step outputs -------------------------------------------------------------


def generate(api, task: dict, kind: str, as_: str):
    return api.post(f"/api/v1/tasks/{task['id']}/documents/generate", json={"kind": kind}, as_=as_)


def content_of(api, document: dict) -> bytes:
    response = api.get(f"/api/v1/documents/{document['id']}/content")
    assert response.status_code == 200
    return response.data


def test_generated_documents_let_the_tim_sakip_finish_steps_7_to_11(api, runner, instance):
    """What the system generates satisfies the required outputs of steps 7, 8, 9 and 11."""
    task = runner.walk_to(instance["id"], 7)

    response = generate(api, task, WORKSHEETS, "anggota")
    assert response.status_code == 201, response.get_json()
    document = response.get_json()
    assert document["generated"] is True
    assert document["media_type"] == "application/pdf"
    assert document["filename"] == "kertas-kerja-pengukuran-kinerja-2026-Q1.pdf"
    assert (document["kind"], document["version"], document["step_no"]) == (WORKSHEETS, 1, 7)
    worksheets = pages_of(content_of(api, document))
    assert len(worksheets) == 2
    assert "SEKSI PEMERINTAHAN" in worksheets[0] and "91,25" in worksheets[0]
    assert "SEKSI PELAYANAN UMUM" in worksheets[1] and "82,30" in worksheets[1]
    assert api.get(f"/api/v1/tasks/{task['id']}").get_json()["missing_outputs"] == []
    response = api.post(f"/api/v1/tasks/{task['id']}/complete", json={}, as_="anggota")
    assert response.status_code == 200, response.get_json()

    task = response.get_json()["next_tasks"][0]
    response = generate(api, task, RECAP, "anggota")
    assert response.status_code == 201, response.get_json()
    assert "84,52" in text_of(content_of(api, response.get_json()))
    response = api.post(f"/api/v1/tasks/{task['id']}/complete", json={}, as_="anggota")
    assert response.status_code == 200, response.get_json()

    task = response.get_json()["next_tasks"][0]
    response = generate(api, task, DRAFT_KIND, "kasi")
    assert response.status_code == 201, response.get_json()
    assert "KONSEP" in text_of(content_of(api, response.get_json()))
    response = api.post(f"/api/v1/tasks/{task['id']}/complete", json={}, as_="kasi")
    assert response.status_code == 200, response.get_json()

    task = runner.walk_to(instance["id"], 11)
    response = generate(api, task, REPORT, "camat")
    assert response.status_code == 201, response.get_json()
    report = text_of(content_of(api, response.get_json()))
    assert "KONSEP" not in report
    assert "Drs. Bambang Widodo, M.Si." in report
    assert api.upload(task["id"], "Lembar Disposisi", "camat").status_code == 201
    body = {"decision": "approve"}
    response = api.post(f"/api/v1/tasks/{task['id']}/decision", json=body, as_="camat")
    assert response.status_code == 200, response.get_json()


def test_generating_again_adds_a_version(api, runner, instance):
    """A second generation of the same kind is version 2; the first stays."""
    task = runner.walk_to(instance["id"], 8)
    first = generate(api, task, RECAP, "anggota").get_json()
    second = generate(api, task, RECAP, "anggota").get_json()
    assert (first["version"], second["version"]) == (1, 2)
    documents = api.get(f"/api/v1/instances/{instance['id']}/documents").get_json()
    assert [d["version"] for d in documents if d["kind"] == RECAP] == [1, 2]


def test_generating_needs_an_actor_of_the_step(api, runner, instance):
    """Only the step's actors may generate its outputs: a kasi at step 7 gets 403."""
    task = runner.walk_to(instance["id"], 7)
    for username in ("kasi", "viewer", "admin"):
        response = generate(api, task, WORKSHEETS, username)
        assert response.status_code == 403, username
        assert error_of(response)["code"] == "forbidden_role"
    assert generate(api, task, WORKSHEETS, None).status_code == 401


def test_a_kind_without_a_generator_is_422(api, runner, instance):
    """An output the system does not make (a Nota Dinas) is 422 not_generated."""
    task = runner.walk_to(instance["id"], 3)
    response = generate(api, task, "Nota Dinas", "kasi")
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "not_generated"
    assert "Nota Dinas" in error["message"]


def test_a_kind_that_is_not_an_output_is_422(api, runner, instance):
    """A kind that is not among the step's outputs is 422 unknown_kind, listing them."""
    task = runner.walk_to(instance["id"], 7)
    response = generate(api, task, RECAP, "anggota")
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "unknown_kind"
    assert error["details"]["allowed"] == [WORKSHEETS]


def test_a_closed_task_is_409(api, runner, instance):
    """Generating onto a task that is already done is a 409, and attaches nothing."""
    task = runner.walk_to(instance["id"], 8)
    done = next(
        t
        for t in api.get(f"/api/v1/instances/{instance['id']}").get_json()["tasks"]
        if t["step_no"] == 7
    )
    response = generate(api, done, WORKSHEETS, "anggota")
    assert response.status_code == 409
    assert error_of(response)["code"] == "task_not_open"
    assert task["step_no"] == 8


def test_nothing_to_measure_is_422(api, runner, office):
    """Without any indicator there is no worksheet to generate: 422 no_indicators."""
    instance = runner.start(PERIOD)
    task = runner.walk_to(instance["id"], 7)
    response = generate(api, task, WORKSHEETS, "anggota")
    assert response.status_code == 422
    assert error_of(response)["code"] == "no_indicators"
    documents = api.get(f"/api/v1/instances/{instance['id']}/documents").get_json()
    assert [d for d in documents if d["step_no"] == 7] == []


def test_bad_generate_requests(api, runner, instance):
    """A body without a kind, with an unknown field, or an unknown task is refused cleanly."""
    task = runner.walk_to(instance["id"], 7)
    path = f"/api/v1/tasks/{task['id']}/documents/generate"
    assert api.post(path, json={}, as_="anggota").status_code == 422
    body = {"kind": WORKSHEETS, "format": "docx"}
    assert api.post(path, json=body, as_="anggota").status_code == 422
    assert api.post(path, json={"kind": ""}, as_="anggota").status_code == 422
    response = api.post(
        "/api/v1/tasks/999999/documents/generate", json={"kind": WORKSHEETS}, as_="anggota"
    )
    assert response.status_code == 404
