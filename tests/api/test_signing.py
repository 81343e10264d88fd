"""Signing the report over the API (app/api/signing.py), and report.pdf frozen after it."""

import hashlib

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, OrgUnit, SignedReport, User
from app.services import audit
from app.services.office import update_office_profile
from tests.helpers import PASSWORD, pdf_text

PERIOD = "2026-Q1"
SIGNED_KIND = "Laporan Hasil Pengukuran Kinerja yang Sudah Ditandatangani"
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert (error["status"], error["code"]) == (status, code), error
    return error


def text_of(content: bytes) -> str:
    return " ".join(pdf_text(content).split())


@pytest.fixture
def office(app, users, snapshot):
    """The Seksi Pemerintahan, and the Camat as the demo office names him."""

    def build() -> None:
        with app.app_context():
            section = OrgUnit(code="pemerintahan", name="Seksi Pemerintahan", is_section=True)
            db.session.add(section)
            camat = db.session.get(User, users["camat"])
            camat.full_name = "Drs. Bambang Widodo, M.Si."
            camat.nip = "197003121990031005"
            db.session.commit()

    snapshot("office", build)
    return app


@pytest.fixture
def measured(api, office, snapshot):
    """One indicator measured for 2026-Q1: target 80, realisation 73 (capaian 91,25)."""
    snapshot("measured", lambda: measure(api))


def measure(api) -> None:
    body = {
        "code": "PEM-01",
        "name": "Persentase desa yang tertib administrasi pemerintahan",
        "unit": "%",
        "polarity": "positive",
        "aggregation": "sum",
        "section": "pemerintahan",
    }
    assert api.post("/api/v1/indicators", json=body, as_="anggota").status_code == 201
    set_realization(api, 73, target=80)


def set_realization(api, realization, **extra):
    response = api.client.put(
        f"/api/v1/indicators/PEM-01/values/{PERIOD}",
        json={"realization": realization, **extra},
        headers=api.headers("anggota"),
    )
    assert response.status_code == 200, response.get_json()


@pytest.fixture
def signing_task(runner, measured, snapshot) -> dict:
    """The open step 12 of a measured 2026-Q1."""
    return snapshot("step 12", lambda: runner.walk_to(runner.start(PERIOD)["id"], 12))


def sign(api, task: dict, as_: str = "camat", password: str = PASSWORD, headers=None, **body):
    return api.post(
        f"/api/v1/tasks/{task['id']}/sign",
        json={"password": password, **body},
        as_=as_,
        headers=headers,
    )


def state_of(app, api, task: dict) -> tuple:
    """What a refused signing must leave as it was: the task, the instance, its documents,
    and the audit trail but for failed attempts."""
    current = api.get(f"/api/v1/tasks/{task['id']}").get_json()
    instance = api.get(f"/api/v1/instances/{task['instance_id']}").get_json()
    documents = api.get(f"/api/v1/instances/{task['instance_id']}/documents").get_json()
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.action != "report.sign_failed")
        ).all()
    return (
        (current["status"], current["version"], current["missing_outputs"]),
        (instance["status"], instance["version"], instance["completed_at"]),
        sorted(d["id"] for d in documents),
        actions,
    )


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        found = db.session.scalars(sa.select(AuditEvent).filter_by(action=action)).all()
        db.session.expunge_all()
        return found


# --- signing ---------------------------------------------------------------------------------


def test_the_camat_signs_and_the_measurement_completes(app, api, signing_task):
    """POST /tasks/{id}/sign answers the finished task, no next task and the signed report;
    the measurement is completed with the signed PDF as step 12's generated output."""
    response = sign(api, signing_task)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"task", "next_tasks", "report"}
    assert (body["task"]["status"], body["task"]["outcome"]) == ("done", "completed")
    assert body["task"]["closed_by"] == "camat"
    assert body["next_tasks"] == []
    report = body["report"]
    assert set(report) == {
        "sha256",
        "file_sha256",
        "verify_url",
        "document_id",
        "signed_at",
        "signed_by",
        "signed_on_paper",
    }
    assert report["signed_on_paper"] is False
    assert report["verify_url"] == f"{DEFAULT_BASE_URL}/verify/{report['sha256']}"
    assert report["signed_by"] == "camat"
    assert report["signed_at"].endswith("+07:00")
    assert report["sha256"] != report["file_sha256"]

    instance = api.get(f"/api/v1/instances/{signing_task['instance_id']}").get_json()
    assert instance["status"] == "completed"
    assert instance["open_tasks"] == []
    document = api.get(f"/api/v1/documents/{report['document_id']}").get_json()
    assert (document["kind"], document["step_no"], document["generated"]) == (
        SIGNED_KIND,
        12,
        True,
    )
    assert document["sha256"] == report["file_sha256"]
    content = api.get(f"/api/v1/documents/{report['document_id']}/content").data
    assert hashlib.sha256(content).hexdigest() == report["file_sha256"]

    (signed,) = events(app, "report.signed")
    assert (signed.actor, signed.data["sha256"]) == ("camat", report["sha256"])
    (moved,) = [e for e in events(app, "task.completed") if e.object_id == str(body["task"]["id"])]
    assert moved.data["instance_completed"] is True
    with app.app_context():
        assert audit.verify_chain().ok


def test_the_signed_pdf_prints_the_hash_link_and_signer(api, signing_task):
    """The signed PDF carries the printed hash, the verification link, the Camat's name and
    NIP, and no DRAFT mark."""
    report = sign(api, signing_task).get_json()["report"]
    text = text_of(api.get(f"/api/v1/documents/{report['document_id']}/content").data)
    assert "DRAFT" not in text
    assert report["sha256"] in text
    assert report["verify_url"] in text
    assert "Drs. Bambang Widodo, M.Si." in text
    assert "NIP. 19700312 199003 1 005" in text
    assert "91,25" in text


def test_base_url_comes_from_the_office_profile(app, api, signing_task):
    """The verification link starts with the office profile's public address."""
    with app.app_context():
        admin = db.session.scalar(sa.select(User).filter_by(username="admin"))
        update_office_profile({"base_url": "https://sakip.kecamatan.example/"}, actor=admin)
        db.session.commit()
    report = sign(api, signing_task).get_json()["report"]
    assert report["verify_url"] == f"https://sakip.kecamatan.example/verify/{report['sha256']}"
    text = text_of(api.get(f"/api/v1/documents/{report['document_id']}/content").data)
    assert report["verify_url"] in text


def test_report_pdf_is_frozen_after_signing(api, signing_task):
    """report.pdf is the KONSEP before signing and afterwards exactly the stored signed file,
    the same on every download (ETag: its SHA-256), whatever changes in the figures."""
    path = f"/api/v1/instances/{signing_task['instance_id']}/report.pdf"
    assert "KONSEP" in text_of(api.get(path).data)
    report = sign(api, signing_task).get_json()["report"]
    stored = api.get(f"/api/v1/documents/{report['document_id']}/content").data

    first, second = api.get(path), api.get(path)
    assert first.status_code == second.status_code == 200
    assert first.data == second.data == stored
    assert first.mimetype == "application/pdf"
    assert first.headers["ETag"] == f'"{report["file_sha256"]}"'
    assert first.headers["Content-Disposition"] == (
        "inline; filename=laporan-hasil-pengukuran-kinerja-ditandatangani-2026-Q1.pdf"
    )
    assert "private" in first.headers["Cache-Control"]
    cached = api.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert cached.status_code == 304

    set_realization(api, 10)
    after = api.get(path)
    assert after.data == stored
    assert hashlib.sha256(after.data).hexdigest() == report["file_sha256"]
    assert "91,25" in text_of(after.data)


# --- refusals --------------------------------------------------------------------------------


def test_a_wrong_password_is_refused_and_changes_nothing(app, api, signing_task):
    """A wrong password is 422 invalid_password (not 401: the token is fine); nothing changes
    but a report.sign_failed audit event, and the right password still signs afterwards."""
    before = state_of(app, api, signing_task)
    for language, message in (("id", "Kata sandi salah"), ("en", "Wrong password")):
        response = sign(
            api, signing_task, password="bukan-sandinya", headers={"Accept-Language": language}
        )
        error = error_of(response, 422, "invalid_password")
        assert message in error["message"]
        assert error["details"] == {"field": "password"}
    assert state_of(app, api, signing_task) == before
    failed = events(app, "report.sign_failed")
    assert [(e.actor, e.object_id) for e in failed] == [("camat", str(signing_task["id"]))] * 2
    assert "bukan-sandinya" not in str([e.data for e in failed])
    with app.app_context():
        assert audit.verify_chain().ok
    assert sign(api, signing_task).status_code == 200


def test_repeated_wrong_passwords_lock_the_account(app, api, signing_task):
    """Wrong signing passwords count with the failed sign-ins: after 5 the account is
    locked, signing answers 423 even with the right password, and so does the token call;
    the Camat's token in hand keeps working."""
    statuses = [sign(api, signing_task, password="salah").status_code for _ in range(6)]
    assert statuses == [422] * 5 + [423]
    error_of(sign(api, signing_task), 423, "account_locked")
    response = api.client.post(
        "/api/v1/auth/token", json={"username": "camat", "password": PASSWORD}
    )
    error_of(response, 423, "account_locked")
    assert api.get("/api/v1/me", as_="camat").status_code == 200


def test_login_failures_count_towards_signing(app, api, signing_task):
    """Failed sign-ins of the API and wrong signing passwords lock the account together."""
    api.token("camat")
    for _ in range(3):
        api.client.post("/api/v1/auth/token", json={"username": "camat", "password": "x"})
    statuses = [sign(api, signing_task, password="salah").status_code for _ in range(3)]
    assert statuses == [422, 422, 423]


@pytest.mark.parametrize("username", ["admin", "sekcam", "kasi", "anggota", "viewer"])
def test_only_the_camat_may_sign(app, api, signing_task, username):
    """Admin, Sekcam and every other role are refused 403 forbidden_role; nothing changes."""
    api.token(username)  # signing in is audited: before the snapshot
    before = state_of(app, api, signing_task)
    error = error_of(sign(api, signing_task, as_=username), 403, "forbidden_role")
    assert error["details"] == {"actors": ["camat"]}
    assert state_of(app, api, signing_task) == before
    assert events(app, "report.sign_failed") == []


def test_signing_twice_is_a_conflict(api, signing_task):
    """A signed (closed) task is 409 task_not_open."""
    assert sign(api, signing_task).status_code == 200
    error_of(sign(api, signing_task), 409, "task_not_open")


def test_a_stale_version_is_a_conflict(app, api, signing_task):
    """A version that is not the task's is 409 stale_version, in the body or If-Match."""
    before = state_of(app, api, signing_task)
    error_of(sign(api, signing_task, version=signing_task["version"] + 1), 409, "stale_version")
    response = api.post(
        f"/api/v1/tasks/{signing_task['id']}/sign",
        json={"password": PASSWORD},
        as_="camat",
        headers={"If-Match": f'"{signing_task["version"] + 1}"'},
    )
    error_of(response, 409, "stale_version")
    assert state_of(app, api, signing_task) == before
    assert sign(api, signing_task, version=signing_task["version"]).status_code == 200


def test_a_step_that_does_not_sign_is_422(api, runner, measured):
    """Signing on step 11 (the Camat's review) or step 1 is 422 not_a_signing_step."""
    instance = runner.start(PERIOD)
    first = runner.open_task(instance["id"])
    error_of(sign(api, first), 422, "not_a_signing_step")
    review = runner.walk_to(instance["id"], 11)
    error_of(sign(api, review), 422, "not_a_signing_step")


def test_the_body_is_checked(api, signing_task):
    """No password, an empty one, an unknown field or not JSON at all: a 4xx, nothing signed."""
    path = f"/api/v1/tasks/{signing_task['id']}/sign"
    for body in ({}, {"password": ""}, {"password": None}, {"password": "x", "sign": True}):
        assert api.post(path, json=body, as_="camat").status_code == 422, body
    response = api.post(path, data="{", as_="camat", headers={"Content-Type": "application/json"})
    error_of(response, 400, "bad_request")
    error_of(api.post(path, json={"password": PASSWORD}, as_=None), 401, "unauthorized")
    error_of(
        api.post("/api/v1/tasks/999999/sign", json={"password": PASSWORD}, as_="camat"),
        404,
        "not_found",
    )
    assert api.get(f"/api/v1/tasks/{signing_task['id']}").get_json()["status"] == "open"


def test_the_signed_output_is_neither_uploaded_nor_generated(api, signing_task):
    """Uploading the signed report's kind, or generating it, is 422 signature_required; a
    plain complete is 422 missing_documents: step 12 finishes only by signing."""
    error = error_of(
        api.upload(signing_task["id"], SIGNED_KIND, "camat"), 422, "signature_required"
    )
    assert f"/api/v1/tasks/{signing_task['id']}/sign" in error["message"]
    response = api.post(
        f"/api/v1/tasks/{signing_task['id']}/documents/generate",
        json={"kind": SIGNED_KIND},
        as_="camat",
    )
    error_of(response, 422, "signature_required")
    response = api.post(f"/api/v1/tasks/{signing_task['id']}/complete", json={}, as_="camat")
    error_of(response, 422, "missing_documents")


def test_the_sop_and_openapi_describe_signing(api):
    """The SOP names step 12's generator, and the OpenAPI document the sign operation."""
    steps = api.get("/api/v1/sops/pengukuran-kinerja").get_json()["steps"]
    assert steps[11]["generated_outputs"] == {SIGNED_KIND: "signed_report"}
    spec = api.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/tasks/{task_id}/sign"]["post"]
    assert {"200", "403", "409", "422", "423"} <= set(operation["responses"])
    assert "invalid_password" in operation["responses"]["422"]["description"]


def test_simultaneous_signings_give_one_winner(app, api, signing_task):
    """Two signings of the task at the same moment: one 200, one 409, one signed report."""
    from tests.api.test_concurrency import one_winner, race

    path = f"/api/v1/tasks/{signing_task['id']}/sign"
    token = api.token("camat")
    body = {"password": PASSWORD}
    one_winner(race(app, [(token, path, body), (token, path, body)]))
    assert len(events(app, "report.signed")) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SignedReport)) == 1
        assert audit.verify_chain().ok
