"""Tests for documents: upload, versions, the content store, download (app/api/documents.py)."""

import hashlib
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.demo import demo_pdf
from app.extensions import db
from app.models import AuditEvent, Document, User
from app.services import routing
from app.services.documents import BlobStore, safe_filename, upload_document

PDF = demo_pdf("Disposisi", ["Periode 2026-Q1", "uji dokumen"])


@pytest.fixture
def instance(runner) -> dict:
    """A measurement at step 1 (the Camat's Disposisi)."""
    return runner.start("2026-Q1")


@pytest.fixture
def task(runner, instance) -> dict:
    """The open step-1 task."""
    return runner.open_task(instance["id"])


def blobs(app) -> list[Path]:
    """Every file in the content store, temporary ones included."""
    root = Path(app.config["STORAGE_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def counts(app) -> tuple[int, int]:
    """Answer (documents, document.uploaded events) in the database."""
    with app.app_context():
        documents = db.session.scalar(sa.select(sa.func.count()).select_from(Document))
        uploads = db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).filter_by(action="document.uploaded")
        )
    return documents, uploads


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert body["error"]["status"] == response.status_code
    return body["error"]


# --- uploading ---------------------------------------------------------------------------


def test_upload_answers_the_document(api, instance, task):
    """An upload is 201 with the document's fields, its true size, SHA-256 and media type."""
    response = api.upload(task["id"], "Disposisi", "camat", content=PDF, filename="disposisi.pdf")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == {
        "id",
        "instance_id",
        "task_id",
        "step_no",
        "kind",
        "filename",
        "media_type",
        "size",
        "sha256",
        "version",
        "generated",
        "signed_on_paper",
        "signed_at",
        "uploaded_by",
        "uploaded_at",
    }
    assert (body["signed_on_paper"], body["signed_at"]) == (False, None)
    assert body["instance_id"] == instance["id"]
    assert (body["task_id"], body["step_no"]) == (task["id"], 1)
    assert (body["kind"], body["filename"], body["version"]) == ("Disposisi", "disposisi.pdf", 1)
    assert body["media_type"] == "application/pdf"
    assert body["size"] == len(PDF)
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["generated"] is False
    assert body["uploaded_by"] == "camat"
    assert body["uploaded_at"].endswith("+07:00")


def test_metadata_is_served(api, task):
    """GET /documents/{id} answers the same metadata as the upload."""
    uploaded = api.upload(task["id"], "Disposisi", "camat", content=PDF).get_json()
    response = api.get(f"/api/v1/documents/{uploaded['id']}")
    assert response.status_code == 200
    assert response.get_json() == uploaded


def test_upload_is_audited(app, api, task):
    """An upload writes a document.uploaded event with the hash and size."""
    uploaded = api.upload(task["id"], "Disposisi", "camat", content=PDF).get_json()
    with app.app_context():
        (event,) = db.session.scalars(
            sa.select(AuditEvent).filter_by(action="document.uploaded")
        ).all()
        assert (event.actor, event.object_id) == ("camat", str(uploaded["id"]))
        assert event.data["sha256"] == uploaded["sha256"]
        assert event.data["size"] == len(PDF)


def test_second_upload_is_version_2(api, task):
    """A second upload of a kind to a step is version 2; version 1 still downloads unchanged."""
    other = demo_pdf("Disposisi", ["revisi"])
    first = api.upload(task["id"], "Disposisi", "camat", content=PDF).get_json()
    second = api.upload(task["id"], "Disposisi", "camat", content=other).get_json()
    assert (first["version"], second["version"]) == (1, 2)
    assert first["id"] != second["id"]
    assert api.get(f"/api/v1/documents/{first['id']}/content").data == PDF
    assert api.get(f"/api/v1/documents/{second['id']}/content").data == other


def test_versions_count_per_kind(runner, api, instance):
    """Versions are counted per kind: each kind of a step starts at version 1."""
    task = runner.walk_to(instance["id"], 3)
    nota = api.upload(task["id"], "Nota Dinas", "kasi").get_json()
    undangan = api.upload(task["id"], "Surat Undangan", "kasi").get_json()
    assert (nota["version"], undangan["version"]) == (1, 1)


def test_same_bytes_are_stored_once(app, api, task):
    """The same bytes uploaded twice are one file, at STORAGE_DIR/ab/cdef… by SHA-256."""
    first = api.upload(task["id"], "Disposisi", "camat", content=PDF).get_json()
    second = api.upload(task["id"], "Disposisi", "camat", content=PDF, filename="lagi.pdf")
    second = second.get_json()
    assert first["sha256"] == second["sha256"]
    assert second["version"] == 2
    sha = first["sha256"]
    expected = Path(app.config["STORAGE_DIR"]) / sha[:2] / sha[2:]
    assert blobs(app) == [expected]
    assert expected.read_bytes() == PDF


def test_listing_shows_every_version(runner, api, instance, task):
    """GET /instances/{id}/documents lists every version of every document, oldest first."""
    ids = [
        api.upload(task["id"], "Disposisi", "camat", content=demo_pdf("v", [str(i)])).get_json()[
            "id"
        ]
        for i in range(3)
    ]
    task3 = runner.walk_to(instance["id"], 3)
    ids += [
        api.upload(task3["id"], kind, "kasi").get_json()["id"]
        for kind in ("Nota Dinas", "Surat Undangan")
    ]
    response = api.get(f"/api/v1/instances/{instance['id']}/documents")
    assert response.status_code == 200
    body = response.get_json()
    assert [d["id"] for d in body] == ids
    assert [(d["step_no"], d["kind"], d["version"]) for d in body] == [
        (1, "Disposisi", 1),
        (1, "Disposisi", 2),
        (1, "Disposisi", 3),
        (3, "Nota Dinas", 1),
        (3, "Surat Undangan", 1),
    ]


def test_listing_of_unknown_instance_is_404(api):
    """Listing the documents of an unknown instance is 404."""
    response = api.get("/api/v1/instances/999999/documents")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


# --- refusals ----------------------------------------------------------------------------


def test_upload_over_the_size_limit_is_413(app, api, task):
    """An upload over MAX_CONTENT_LENGTH is 413 payload_too_large, leaving nothing behind."""
    app.config["MAX_CONTENT_LENGTH"] = 4096
    content = PDF + b"%" + b"x" * 8192
    response = api.upload(task["id"], "Disposisi", "camat", content=content)
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"
    assert counts(app) == (0, 0)
    assert blobs(app) == []


def test_store_refuses_past_its_limit(app, users, instance, task):
    """The store itself stops at its limit: 413, no row, no event, no file, no temp file."""
    from app.errors import DomainError

    with app.app_context():
        with pytest.raises(DomainError) as caught:
            upload_document(
                routing.get_task(task["id"]),
                kind="Disposisi",
                filename="besar.pdf",
                stream=io.BytesIO(PDF),
                actor=db.session.get(User, users["camat"]),
                store=BlobStore(app.config["STORAGE_DIR"]),
                limit=len(PDF) - 1,
            )
        db.session.rollback()
    assert (caught.value.status, caught.value.code) == (413, "payload_too_large")
    assert counts(app) == (0, 0)
    assert blobs(app) == []


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("program.exe", b"MZ\x90\x00" + b"\x00" * 60),
        ("palsu.pdf", b"MZ\x90\x00 this is not a PDF"),
        ("tanpa-ekstensi", PDF),
        ("gambar.png", PDF),
        ("skrip.html", b"<html><script>alert(1)</script></html>"),
    ],
    ids=["exe", "pdf-not-pdf", "no-extension", "png-holding-pdf", "html"],
)
def test_type_not_accepted_is_415(app, api, task, filename, content):
    """A file whose extension is not accepted, or whose bytes disagree with it, is 415."""
    response = api.upload(task["id"], "Disposisi", "camat", content=content, filename=filename)
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"
    assert counts(app) == (0, 0)
    assert blobs(app) == []


def test_unknown_kind_is_422_listing_allowed_kinds(app, runner, api, instance):
    """A kind that is not one of the step's outputs is 422 unknown_kind naming the choices."""
    task = runner.walk_to(instance["id"], 3)
    response = api.upload(task["id"], "Surat Cinta", "kasi")
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "unknown_kind"
    assert error["details"] == {"allowed": ["Nota Dinas", "Surat Undangan"]}
    assert "Nota Dinas, Surat Undangan" in error["message"]
    assert counts(app) == (0, 0)
    assert blobs(app) == []


def test_empty_file_is_422(app, api, task):
    """An empty file is 422 empty_file, leaving nothing behind."""
    response = api.upload(task["id"], "Disposisi", "camat", content=b"")
    assert response.status_code == 422
    assert error_of(response)["code"] == "empty_file"
    assert counts(app) == (0, 0)
    assert blobs(app) == []


def test_upload_without_file_or_kind_is_refused(app, api, task):
    """An upload missing the file or the kind is refused with a 4xx in the error shape."""
    no_file = api.client.post(
        f"/api/v1/tasks/{task['id']}/documents",
        data={"kind": "Disposisi"},
        headers=api.headers("camat"),
        content_type="multipart/form-data",
    )
    no_kind = api.client.post(
        f"/api/v1/tasks/{task['id']}/documents",
        data={"file": (io.BytesIO(PDF), "a.pdf")},
        headers=api.headers("camat"),
        content_type="multipart/form-data",
    )
    for response in (no_file, no_kind):
        assert response.status_code in (400, 422)
        error_of(response)
    assert counts(app) == (0, 0)


@pytest.mark.parametrize("username", ["sekcam", "kasi", "admin", "viewer"])
def test_non_actor_of_the_step_is_403(app, api, task, username):
    """Only the step's actors may upload; anyone else (admin included) gets 403."""
    response = api.upload(task["id"], "Disposisi", username)
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "forbidden_role"
    assert error["details"] == {"actors": ["camat"]}
    assert counts(app) == (0, 0)
    assert blobs(app) == []


def test_upload_to_a_closed_task_is_409(app, runner, api, instance, task):
    """A step that is done takes no more uploads: 409 task_not_open."""
    runner.advance(task)
    response = api.upload(task["id"], "Disposisi", "camat")
    assert response.status_code == 409
    assert error_of(response)["code"] == "task_not_open"
    assert counts(app) == (0, 0)
    assert blobs(app) == []


def test_upload_to_unknown_task_is_404(api):
    """An upload to a task that does not exist is 404."""
    response = api.upload(999999, "Disposisi", "camat")
    assert response.status_code == 404


def test_upload_needs_credentials(app, api, task):
    """An upload without credentials is 401."""
    response = api.client.post(
        f"/api/v1/tasks/{task['id']}/documents",
        data={"kind": "Disposisi", "file": (io.BytesIO(PDF), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 401
    assert counts(app) == (0, 0)


# --- file names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"),
        ("Laporan Kinerja Triwulan II.pdf", "Laporan_Kinerja_Triwulan_II.pdf"),
        ("Lapóran «Camat» 日本.pdf", "Laporan_Camat.pdf"),
        ('surat "resmi"; filename=evil.exe.pdf', "surat_resmi_filename_evil.exe.pdf"),
        ("nota\r\nX-Injected: 1.pdf", "nota_X-Injected_1.pdf"),
        (".pdf", "dokumen.pdf"),
        ("日本語.pdf", "dokumen.pdf"),
        ("laporan.pdf.", "laporan.pdf"),
        ("..", "dokumen"),
        (None, "dokumen"),
    ],
    ids=[
        "traversal",
        "windows-traversal",
        "spaces",
        "unicode",
        "quotes",
        "crlf",
        "only-extension",
        "all-non-ascii",
        "trailing-dot",
        "dots",
        "none",
    ],
)
def test_safe_filename(filename, expected):
    """safe_filename keeps a base name of letters, digits, dot, dash and underscore."""
    assert safe_filename(filename) == expected


SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@pytest.mark.parametrize(
    "filename",
    [
        "../../etc/passwd.pdf",
        "..\\..\\windows\\system.ini.pdf",
        "/etc/passwd.pdf",
        "Lapóran «Camat» 日本.pdf",
        "日本語.pdf",
        'surat "resmi"; filename=evil.exe.pdf',
        "surat 'resmi'.pdf",
        "%2e%2e%2fpasswd.pdf",
        ".hidden.pdf",
    ],
)
def test_hostile_filename_is_stored_and_served_safely(api, task, filename):
    """A hostile upload name becomes a safe base name, and Content-Disposition carries it."""
    uploaded = api.upload(task["id"], "Disposisi", "camat", content=PDF, filename=filename)
    assert uploaded.status_code == 201, uploaded.get_json()
    name = uploaded.get_json()["filename"]
    assert SAFE_NAME.match(name), name
    assert name.endswith(".pdf")
    assert ".." not in name
    response = api.get(f"/api/v1/documents/{uploaded.get_json()['id']}/content")
    assert response.headers["Content-Disposition"] == f"attachment; filename={name}"


def test_very_long_filename_is_shortened(api, task):
    """A very long file name is cut to a bounded length and keeps its extension."""
    uploaded = api.upload(
        task["id"], "Disposisi", "camat", content=PDF, filename="a" * 5000 + ".pdf"
    )
    assert uploaded.status_code == 201
    name = uploaded.get_json()["filename"]
    assert name.endswith(".pdf")
    assert len(name) <= 255
    assert set(name[:-4]) == {"a"}


# --- downloading -------------------------------------------------------------------------


def test_download_returns_the_exact_bytes(api, task):
    """Download answers the exact bytes with their media type, nosniff and an attachment."""
    uploaded = api.upload(task["id"], "Disposisi", "camat", content=PDF).get_json()
    response = api.get(f"/api/v1/documents/{uploaded['id']}/content")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == "attachment; filename=dokumen.pdf"


def test_download_of_unknown_document_is_404(api):
    """Downloading a document that does not exist is 404 in the error shape."""
    response = api.get("/api/v1/documents/999999/content")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_download_needs_credentials(api, task):
    """Downloading without credentials is 401."""
    uploaded = api.upload(task["id"], "Disposisi", "camat", content=PDF).get_json()
    response = api.get(f"/api/v1/documents/{uploaded['id']}/content", as_=None)
    assert response.status_code == 401


def test_missing_file_in_the_store_is_404(app, api, task):
    """A document whose bytes are gone from the store is 404, not 500."""
    uploaded = api.upload(task["id"], "Disposisi", "camat", content=PDF).get_json()
    (path,) = blobs(app)
    path.unlink()
    response = api.get(f"/api/v1/documents/{uploaded['id']}/content")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert api.get(f"/api/v1/documents/{uploaded['id']}").status_code == 200
