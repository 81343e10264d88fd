"""Signing from the board, and the public verification page (app/web/verify.py)."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, User
from app.services import audit
from tests.helpers import PASSWORD
from tests.web.test_board import card_of

PERIOD = "2026-Q1"


@pytest.fixture
def signing_task(app, runner, snapshot) -> dict:
    """The open step 12 of a 2026-Q1 measurement, the Camat named and with his NIP."""

    def build() -> dict:
        with app.app_context():
            camat = db.session.scalar(sa.select(User).filter_by(username="camat"))
            camat.full_name = "Drs. Bambang Widodo, M.Si."
            camat.nip = "197003121990031005"
            db.session.commit()
        return runner.walk_to(runner.start(PERIOD)["id"], 12)

    return snapshot("step 12, the Camat named", build)


@pytest.fixture
def signed(api, signing_task, snapshot) -> dict:
    """The signed report of the measurement (the API's answer)."""

    def build() -> dict:
        path = f"/api/v1/tasks/{signing_task['id']}/sign"
        response = api.post(path, json={"password": PASSWORD}, as_="camat")
        assert response.status_code == 200, response.get_json()
        return response.get_json()["report"]

    return snapshot("signed", build)


def text_of(html: str) -> str:
    """The visible text of a page, white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- signing from the board ------------------------------------------------------------------


def test_the_camat_sees_a_sign_form_instead_of_upload_and_complete(pages, signing_task):
    """The step-12 card offers the Camat a password form and a draft preview, and no upload,
    generate or complete; nobody else sees the form."""
    card = card_of(pages("camat").get("/").text, signing_task["id"])
    assert "Tandatangani laporan" in card
    assert 'type="password" name="password"' in card
    assert f"/api/v1/instances/{signing_task['instance_id']}/report.pdf" in card
    assert "Pratinjau draf laporan" in card
    for absent in ("Unggah", "Buat otomatis", "Selesaikan langkah"):
        assert absent not in card, absent
    for role in ("sekcam", "admin", "anggota", "viewer"):
        other = card_of(pages(role).get("/").text, signing_task["id"])
        assert "Tandatangani" not in other, role
        assert 'type="password"' not in other, role


def test_a_wrong_password_on_the_card_is_shown_inline(app, pages, runner, signing_task):
    """A wrong password re-renders the board with the message on the card (422); the task
    stays open and the attempt is audited."""
    camat = pages("camat")
    response = camat.post(
        f"/tasks/{signing_task['id']}/sign", {"password": "salah", "version": "1"}
    )
    assert response.status_code == 422
    card = card_of(response.text, signing_task["id"])
    assert "Kata sandi salah; tidak ada yang diubah." in card
    assert runner.open_task(signing_task["instance_id"])["id"] == signing_task["id"]
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("report.sign_failed") == 1
    assert "report.signed" not in actions
    empty = camat.post(f"/tasks/{signing_task['id']}/sign", {"password": ""})
    assert "Masukkan kata sandi Anda" in card_of(empty.text, signing_task["id"])


def test_the_camat_signs_from_the_card(app, pages, runner, signing_task):
    """The right password signs: HTMX is sent to the measurement's page, which shows the
    signed report, its code and the links to it and to its verification page."""
    camat = pages("camat")
    response = camat.post(
        f"/tasks/{signing_task['id']}/sign",
        {"password": PASSWORD, "version": str(signing_task["version"])},
    )
    assert response.status_code == 204
    page_url = f"/instances/{signing_task['instance_id']}"
    assert response.headers["HX-Redirect"] == page_url
    instance = runner.api.get(f"/api/v1/instances/{signing_task['instance_id']}").get_json()
    assert instance["status"] == "completed"
    page = camat.get(page_url).text
    with app.app_context():
        sha256 = db.session.scalar(sa.text("SELECT sha256 FROM signed_report"))
        assert audit.verify_chain().ok
    assert "ditandatangani; kode verifikasi" in page  # the flash message
    assert "Laporan bertanda tangan" in page
    assert f'href="/verify/{sha256}"' in page
    assert f'href="/api/v1/instances/{signing_task["instance_id"]}/report.pdf"' in page


def test_the_sign_form_needs_its_csrf_token(app, pages, signing_task):
    """A sign post without the CSRF token is refused; nothing is signed."""
    camat = pages("camat")
    response = camat.client.post(f"/tasks/{signing_task['id']}/sign", data={"password": PASSWORD})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM signed_report")) == 0


# --- the verification page -------------------------------------------------------------------


def test_the_printed_hash_confirms_the_report(client, signed):
    """Anyone, signed in or not, sees "Dokumen ASLI" with the office, title, period, signer,
    NIP, signing time and both hashes, and no link to the PDF itself."""
    response = client.get(f"/verify/{signed['sha256']}")
    assert response.status_code == 200
    text = text_of(response.text)
    for expected in (
        "Dokumen ASLI",
        "cocok dengan kode verifikasi yang tercetak",
        "Kecamatan Purbalingga",
        "Laporan Hasil Pengukuran Kinerja",
        "Triwulan I 2026",
        "Drs. Bambang Widodo, M.Si.",
        "NIP 19700312 199003 1 005",
        "(waktu kantor)",
        signed["sha256"],
        signed["file_sha256"],
        "sebuah berkas tidak dapat memuat SHA-256-nya sendiri",
        "Berkas PDF tidak dibagikan di halaman publik ini",
    ):
        assert expected in text, expected
    assert "report.pdf" not in response.text and "/content" not in response.text
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_the_file_hash_and_upper_case_confirm_it_too(client, signed):
    """The PDF file's SHA-256, and either hash in upper case, are confirmed as well."""
    by_file = client.get(f"/verify/{signed['file_sha256']}")
    assert by_file.status_code == 200
    assert "Dokumen ASLI" in by_file.text
    assert "cocok dengan SHA-256 berkas PDF" in by_file.text
    for digest in (signed["sha256"].upper(), signed["file_sha256"].upper()):
        response = client.get(f"/verify/{digest}")
        assert response.status_code == 200
        assert "Dokumen ASLI" in response.text


def test_a_tampered_hash_is_unknown(client, signed):
    """One hex digit changed in either hash is 404 "Tidak dikenal"."""
    for digest in (signed["sha256"], signed["file_sha256"]):
        last = digest[-1]
        tampered = digest[:-1] + ("0" if last != "0" else "1")
        response = client.get(f"/verify/{tampered}")
        assert response.status_code == 404
        text = text_of(response.text)
        assert "Tidak dikenal" in text
        assert "Bukan laporan bertanda tangan dari kantor ini." in text
        assert "Dokumen ASLI" not in text


@pytest.mark.parametrize(
    "digest",
    [
        "0" * 64,
        "abc",
        "g" * 64,
        "a" * 63,
        "a" * 65,
        "a/b/c",
        "%00" * 3,
        "%ff%fe",
        "<script>alert(1)</script>",
        "x" * 5000,
        "../../etc/passwd",
    ],
)
def test_unknown_and_malformed_hashes_are_404_never_500(client, users, digest):
    """Unknown or malformed codes get the same "Tidak dikenal" page with 404."""
    response = client.get(f"/verify/{digest}")
    assert response.status_code == 404
    assert "Tidak dikenal" in response.text
    assert "<script>alert" not in response.text
    assert len(response.text) < 20_000


def test_the_form_sends_a_pasted_hash_to_its_page(client, signed):
    """GET /verify shows the form; a pasted hash (spaces, upper case) goes to its page, and a
    malformed one is refused inline."""
    form = client.get("/verify")
    assert form.status_code == 200
    assert 'name="sha256"' in form.text and "Periksa keaslian laporan" in form.text
    spaced = " ".join(signed["sha256"][i : i + 8] for i in range(0, 64, 8)).upper()
    response = client.get("/verify", query_string={"sha256": spaced})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/verify/{signed['sha256']}"
    bad = client.get("/verify", query_string={"sha256": "bukan-kode"})
    assert bad.status_code == 422
    assert "64 angka heksadesimal" in bad.text
    assert 'value="bukan-kode"' in bad.text


def test_the_verification_page_is_rate_limited(app, client, users):
    """More than 60 look-ups a minute from one address get 429."""
    statuses = [client.get(f"/verify/{'a' * 64}").status_code for _ in range(61)]
    assert statuses == [404] * 60 + [429]
