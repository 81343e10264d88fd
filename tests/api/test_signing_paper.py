"""Step 12 on paper over the API: the scan of the report the Camat signed in ink is uploaded
with `signed_on_paper`, `complete` finishes the step, and `/verify` knows the scan; and the
whole measurement walked to its end either way (app/services/paper_signing.py)."""

import hashlib
import io
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.demo import demo_pdf
from app.extensions import db
from app.models import AuditEvent, Document, SignedReport
from app.services import audit
from tests.api import test_signing as signing_tests
from tests.api.test_signing import PERIOD, SIGNED_KIND, error_of, events, sign

# The measured 2026-Q1 at its open step 12, as the signing tests build it.
office = signing_tests.office
measured = signing_tests.measured
signing_task = signing_tests.signing_task

SCAN = demo_pdf("Laporan Hasil Pengukuran Kinerja (pindaian)", ["ditandatangani basah", "Camat"])
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload_scan(api, task, as_="camat", content=SCAN, filename="pindaian.pdf", **fields):
    data = {"kind": SIGNED_KIND, "file": (io.BytesIO(content), filename)}
    data.update({"signed_on_paper": "true", **fields})
    return api.client.post(
        f"/api/v1/tasks/{task['id']}/documents",
        data=data,
        headers=api.headers(as_),
        content_type="multipart/form-data",
    )


def complete(api, task, as_="camat", **body):
    return api.post(f"/api/v1/tasks/{task['id']}/complete", json=body, as_=as_)


def opened_at(task) -> datetime:
    return datetime.fromisoformat(task["opened_at"])


def nothing_stored(app, task) -> bool:
    with app.app_context():
        return db.session.scalar(sa.select(Document).filter_by(task_id=task["id"])) is None


# --- the upload ------------------------------------------------------------------------------


def test_the_scan_is_recorded_as_signed_on_paper(api, signing_task):
    """The upload answers 201 with a document marked signed_on_paper and its signed_at; the
    task says signed_on_paper and has nothing missing any more."""
    signed_at = opened_at(signing_task) + timedelta(seconds=1)
    response = upload_scan(api, signing_task, signed_at=signed_at.isoformat())
    assert response.status_code == 201, response.get_json()
    document = response.get_json()
    assert document["signed_on_paper"] is True
    assert datetime.fromisoformat(document["signed_at"]) == signed_at
    assert document["sha256"] == hashlib.sha256(SCAN).hexdigest()
    assert document["generated"] is False
    task = api.get(f"/api/v1/tasks/{signing_task['id']}").get_json()
    assert task["signed_on_paper"] is True
    assert task["missing_outputs"] == []
    # Any other document answers signed_on_paper false.
    assert signing_task["signed_on_paper"] is False


def test_a_picture_scan_is_accepted(api, signing_task):
    """A PNG (or JPEG) scan is accepted like a PDF."""
    response = upload_scan(api, signing_task, content=PNG, filename="pindaian.png")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["media_type"] == "image/png"


@pytest.mark.parametrize("shift", [timedelta(days=2), None], ids=["future", "before_opening"])
def test_a_signed_at_that_cannot_be_is_422(app, api, signing_task, shift):
    """signed_at in the future, or before the task opened, is 422 invalid_signed_at, and
    nothing is stored."""
    at = (
        datetime.now().astimezone() + shift
        if shift
        else opened_at(signing_task) - timedelta(hours=1)
    )
    error = error_of(
        upload_scan(api, signing_task, signed_at=at.isoformat()), 422, "invalid_signed_at"
    )
    assert error["message"].startswith("Waktu penandatanganan tidak valid")
    assert nothing_stored(app, signing_task)


def test_a_signed_at_without_offset_is_refused(app, api, signing_task):
    """A signed_at without a time zone offset is a validation error; nothing is stored."""
    response = upload_scan(api, signing_task, signed_at="2026-03-02T08:00:00")
    assert response.status_code == 422
    assert nothing_stored(app, signing_task)


def test_signed_at_without_paper_is_422(app, api, signing_task):
    """signed_at on an upload that is not signed on paper is 422 signed_at_without_paper."""
    response = upload_scan(
        api, signing_task, signed_on_paper="false", signed_at=signing_task["opened_at"]
    )
    error_of(response, 422, "signed_at_without_paper")
    assert nothing_stored(app, signing_task)


def test_only_the_camat_records_the_scan(app, api, signing_task):
    """Another role gets 403 forbidden_role and nothing is stored."""
    error_of(upload_scan(api, signing_task, as_="sekcam"), 403, "forbidden_role")
    assert nothing_stored(app, signing_task)


def test_an_office_document_is_no_scan(app, api, signing_task):
    """A .docx is refused with 415 paper_scan_type, in Indonesian by default."""
    docx = b"PK\x03\x04" + b"\x00" * 64
    error = error_of(
        upload_scan(api, signing_task, content=docx, filename="laporan.docx"),
        415,
        "paper_scan_type",
    )
    assert "PDF, PNG atau JPEG" in error["message"]
    assert nothing_stored(app, signing_task)


def test_another_kind_is_not_signed_on_paper(api, runner, measured):
    """signed_on_paper on a step that signs nothing is 422 not_a_signed_kind."""
    task = runner.open_task(runner.start(PERIOD)["id"])
    kind = runner.definition()[task["step_no"]]["outputs"][0]
    response = api.client.post(
        f"/api/v1/tasks/{task['id']}/documents",
        data={"kind": kind, "file": (io.BytesIO(SCAN), "a.pdf"), "signed_on_paper": "true"},
        headers=api.headers(runner.actor_of(task["step_no"])),
        content_type="multipart/form-data",
    )
    error_of(response, 422, "not_a_signed_kind")


def test_a_plain_upload_of_the_signed_kind_stays_refused(api, signing_task):
    """Without signed_on_paper the signed kind is still 422 signature_required."""
    error_of(api.upload(signing_task["id"], SIGNED_KIND, "camat"), 422, "signature_required")


# --- completing over the scan ------------------------------------------------------------------


def test_complete_with_occurred_at_finishes_step_12_on_paper(app, api, signing_task):
    """The scan without signed_at, then complete with occurred_at: the measurement is
    completed, the report is signed on paper at that time, and the audit says so,
    back-dated."""
    assert upload_scan(api, signing_task).status_code == 201
    at = opened_at(signing_task) + timedelta(seconds=2)
    response = complete(api, signing_task, occurred_at=at.isoformat())
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["next_tasks"] == []
    assert body["task"]["backdated"] is True
    assert body["task"]["signed_on_paper"] is True
    instance = api.get(f"/api/v1/instances/{signing_task['instance_id']}").get_json()
    assert instance["status"] == "completed"
    documents = api.get(f"/api/v1/instances/{signing_task['instance_id']}/documents").get_json()
    (scan,) = [d for d in documents if d["kind"] == SIGNED_KIND]
    assert scan["signed_on_paper"] is True
    assert datetime.fromisoformat(scan["signed_at"]) == at
    with app.app_context():
        report = db.session.scalar(sa.select(SignedReport))
        assert report.signed_on_paper
        assert report.file_sha256 == hashlib.sha256(SCAN).hexdigest()
        assert report.signed_at == at
        assert audit.verify_chain().ok
    (event,) = events(app, "report.signed_on_paper")
    assert event.backdated
    assert event.data["signed_on_paper"] is True
    assert event.data["recorded_by"] == "camat"
    assert "ditandatangani di atas kertas" in event.summary
    (uploaded,) = [e for e in events(app, "document.uploaded") if e.data.get("kind") == SIGNED_KIND]
    assert uploaded.data["signed_on_paper"] is True


def test_the_upload_signed_at_is_kept(app, api, signing_task):
    """A signed_at sent with the scan is the report's signing time, not the move's."""
    signed_at = opened_at(signing_task) + timedelta(seconds=1)
    assert upload_scan(api, signing_task, signed_at=signed_at.isoformat()).status_code == 201
    assert complete(api, signing_task).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(SignedReport.signed_at)) == signed_at


def test_finishing_before_the_ink_signature_is_422(app, api, signing_task):
    """complete with an occurred_at before the scan's signed_at is 422 and changes nothing."""
    signed_at = opened_at(signing_task) + timedelta(seconds=50)
    assert upload_scan(api, signing_task, signed_at=signed_at.isoformat()).status_code == 201
    early = opened_at(signing_task) + timedelta(seconds=10)
    error_of(
        complete(api, signing_task, occurred_at=early.isoformat()),
        422,
        "finished_before_paper_signature",
    )
    task = api.get(f"/api/v1/tasks/{signing_task['id']}").get_json()
    assert task["status"] == "open"
    with app.app_context():
        assert db.session.scalar(sa.select(SignedReport)) is None


def test_complete_without_the_scan_is_missing_documents(api, signing_task):
    """Step 12 does not finish on `complete` without a signed report of either kind."""
    error_of(complete(api, signing_task), 422, "missing_documents")


# --- /verify ----------------------------------------------------------------------------------


def test_verify_knows_the_scan_by_its_sha256(api, signing_task):
    """/verify/<scan's SHA-256> says the report was signed on paper, who recorded it, when."""
    signed_at = opened_at(signing_task) + timedelta(seconds=1)
    assert upload_scan(api, signing_task, signed_at=signed_at.isoformat()).status_code == 201
    assert complete(api, signing_task).status_code == 200
    page = api.client.get(f"/verify/{hashlib.sha256(SCAN).hexdigest()}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "ditandatangani di atas kertas" in text
    assert "Pindaian dicatat oleh" in text
    assert "Drs. Bambang Widodo, M.Si." in text
    uploaded = api.client.post(
        "/verify", data={"file": (io.BytesIO(SCAN), "scan.pdf")}, content_type="multipart/form-data"
    )
    assert uploaded.status_code == 200
    assert "Berkas ASLI — ditandatangani di atas kertas" in uploaded.get_data(as_text=True)


def test_a_scan_recorded_for_another_measurement_is_refused(api, runner, signing_task):
    """The scan that is already one measurement's signed report is 409 scan_already_recorded
    for another, naming that period; nothing is stored."""
    assert upload_scan(api, signing_task).status_code == 201
    assert complete(api, signing_task).status_code == 200
    other = runner.walk_to(runner.start("2026-Q2")["id"], 12)
    error = error_of(upload_scan(api, other), 409, "scan_already_recorded")
    assert "2026-Q1" in error["message"]
    documents = api.get(f"/api/v1/instances/{other['instance_id']}/documents").get_json()
    assert SIGNED_KIND not in {d["kind"] for d in documents}


# --- the whole walk, either way ---------------------------------------------------------------


@pytest.mark.parametrize("way", ["sign", "paper"])
def test_a_measurement_finishes_step_12_either_way(app, api, runner, measured, way):
    """The API walk of a measurement finishes step 12 by `sign`, or by the paper-signed scan
    plus `complete` with occurred_at; both reports verify on /verify, and the chain holds."""
    instance = runner.start(PERIOD)
    task = runner.walk_to(instance["id"], 12)
    if way == "sign":
        response = sign(api, task)
        assert response.status_code == 200, response.get_json()
        digest = response.get_json()["report"]["sha256"]
        marker = "Dokumen ASLI</p>"
    else:
        assert upload_scan(api, task).status_code == 201
        at = datetime.now().astimezone() - timedelta(seconds=5)
        response = complete(api, task, occurred_at=max(at, opened_at(task)).isoformat())
        assert response.status_code == 200, response.get_json()
        digest = hashlib.sha256(SCAN).hexdigest()
        marker = "Dokumen ASLI — ditandatangani di atas kertas"
    assert api.get(f"/api/v1/instances/{instance['id']}").get_json()["status"] == "completed"
    page = api.client.get(f"/verify/{digest}")
    assert page.status_code == 200
    assert marker in page.get_data(as_text=True)
    with app.app_context():
        assert audit.verify_chain().ok
        paper = db.session.scalar(sa.select(SignedReport.signed_on_paper))
        assert paper is (way == "paper")
        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
        assert ("report.signed_on_paper" in actions) is (way == "paper")
        assert ("report.signed" in actions) is (way == "sign")
