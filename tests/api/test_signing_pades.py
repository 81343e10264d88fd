"""The signed report's PAdES signature (app/services/pades.py): pyHanko and its CLI accept it
trusting the office certificate, one edited byte breaks it, and `/verify` checks a sent file."""

import hashlib
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from app.extensions import db
from app.models import AuditEvent, SignedReport
from app.services import pades
from tests.api import test_signing as signing_tests
from tests.api.test_signing import error_of, sign

office = signing_tests.office
measured = signing_tests.measured
signing_task = signing_tests.signing_task


@pytest.fixture
def signed(app, api, signing_task, snapshot) -> dict:
    """The signed report: the API's answer, the stored file and the office certificate."""

    def build() -> dict:
        response = sign(api, signing_task)
        assert response.status_code == 200, response.get_json()
        report = response.get_json()["report"]
        pdf = api.get(f"/api/v1/instances/{signing_task['instance_id']}/report.pdf").data
        return {"report": report, "pdf": pdf}

    done = snapshot("signed", build)
    with app.app_context():
        certificate = pades.office_certificate()
    return {**done, "certificate": certificate}


def edited(pdf: bytes) -> bytes:
    """The file with one byte changed inside the first content stream it signs."""
    at = pdf.index(b"stream") + 20
    return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]


def validate(pdf: bytes, certificate):
    signature = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures[0]
    return validate_pdf_signature(
        signature, ValidationContext(trust_roots=[certificate.certificate])
    )


def test_pyhanko_validates_the_signature_trusting_the_office_certificate(signed):
    """The signed report carries one PAdES signature, intact, covering the whole file and
    trusted with the office certificate as the only root; file_sha256 is the file's."""
    status = validate(signed["pdf"], signed["certificate"])
    assert status.bottom_line, status.pretty_print_details()
    assert (status.intact, status.valid, status.trusted) == (True, True, True)
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.signing_cert.sha256 == signed["certificate"].certificate.sha256
    assert signed["report"]["file_sha256"] == hashlib.sha256(signed["pdf"]).hexdigest()
    # The printed code stays the content hash: it is not the file's.
    assert signed["report"]["sha256"] != signed["report"]["file_sha256"]


def test_one_edited_byte_breaks_the_signature(signed):
    """Editing one byte of the signed file makes pyHanko judge it not intact."""
    status = validate(edited(signed["pdf"]), signed["certificate"])
    assert not status.intact
    assert not status.bottom_line


def test_another_certificate_is_not_trusted(app, signed, tmp_path):
    """Trusting another certificate instead of the office's, the signature is not trusted."""
    with app.app_context():
        other = pades.ensure_self_signed_certificate(
            {"SIGNING_SELF_SIGNED_FILE": str(tmp_path / "other.p12")},
            name="Kecamatan Lain",
            organisation="Pemerintah Kabupaten Lain",
            city="Lain",
        )
    status = validate(signed["pdf"], pades.load_certificate(other, None))
    assert status.intact
    assert not status.trusted


@pytest.mark.skipif(
    not shutil.which("pyhanko", path=str(Path(sys.executable).parent)), reason="no CLI"
)
def test_the_pyhanko_cli_accepts_the_signed_report(signed, tmp_path):
    """`pyhanko sign validate --trust office.pem` judges the report VALID; the edited file
    not."""
    cli = str(Path(sys.executable).parent / "pyhanko")
    trust = tmp_path / "office.pem"
    trust.write_bytes(signed["certificate"].pem())
    good, bad = tmp_path / "laporan.pdf", tmp_path / "diubah.pdf"
    good.write_bytes(signed["pdf"])
    bad.write_bytes(edited(signed["pdf"]))
    command = [cli, "sign", "validate", "--trust", str(trust), "--pretty-print"]
    result = subprocess.run([*command, str(good)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The signature is judged VALID." in result.stdout
    result = subprocess.run([*command, str(bad)], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "judged VALID" not in result.stdout


# --- /verify with a file ------------------------------------------------------------------------


def send(client, content: bytes, filename="laporan.pdf"):
    return client.post(
        "/verify",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_verify_says_the_signed_file_is_valid(client, signed):
    """POST /verify with the signed PDF: 200 Berkas ASLI, the digital signature sah, and
    the report's facts; no sign-in, no CSRF token needed."""
    page = send(client, signed["pdf"])
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Berkas ASLI" in text
    assert "Tanda tangan digital:" in text and "<strong>sah</strong>" in text
    assert "Drs. Bambang Widodo, M.Si." in text
    assert signed["report"]["sha256"] in text


def test_verify_says_an_altered_file_is_not(client, signed):
    """POST /verify with the file edited by one byte: 404 Tidak sah, the signature broken."""
    page = send(client, edited(signed["pdf"]))
    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert "Tidak sah" in text
    assert "isi berkas berubah setelah ditandatangani" in text
    assert "Berkas ASLI" not in text


def test_verify_says_an_unsigned_file_has_no_signature(client, signed):
    """A PDF that was never signed (the draft) is unknown and has no digital signature."""
    from app.demo import demo_pdf

    page = send(client, demo_pdf("Draft", ["bukan laporan bertanda tangan"]))
    assert page.status_code == 404
    assert "<strong>tidak ada</strong>" in page.get_data(as_text=True)


def test_verify_without_a_file_asks_for_one(client):
    """POST /verify without a file: 422 and the form again, saying what is missing."""
    page = client.post("/verify", data={}, content_type="multipart/form-data")
    assert page.status_code == 422
    assert "Pilih berkas yang akan diperiksa." in page.get_data(as_text=True)


def test_garbage_is_not_a_crash(client, signed):
    """Bytes that are no PDF at all get the not-valid page, never a 500."""
    page = send(client, b"%PDF-1.7\n\x00garbage" * 50)
    assert page.status_code == 404
    assert "Tidak sah" in page.get_data(as_text=True)


def test_the_office_certificate_is_offered(client, signed):
    """The verify page names the office certificate and serves it as PEM (no key)."""
    page = client.get("/verify").get_data(as_text=True)
    assert signed["certificate"].fingerprint in page
    pem = client.get("/verify/sertifikat-kantor.pem")
    assert pem.status_code == 200
    assert pem.data == signed["certificate"].pem()
    assert b"PRIVATE KEY" not in pem.data


# --- a configured certificate -------------------------------------------------------------------


@pytest.fixture
def configured_p12(app, tmp_path) -> Path:
    """A PKCS#12 file with a passphrase, as an admin configures one (e.g. from BSrE)."""
    config = {
        "SIGNING_SELF_SIGNED_FILE": str(tmp_path / "bsre.p12"),
        "SIGNING_CERT_PASSWORD": "rahasia",
    }
    path = pades.ensure_self_signed_certificate(
        config, name="Camat Purbalingga (BSrE uji)", organisation="BSrE Uji", city="Jakarta"
    )
    app.config.update(SIGNING_CERT_FILE=str(path), SIGNING_CERT_PASSWORD="rahasia")
    return path


def test_a_configured_certificate_signs(app, api, signing_task, configured_p12):
    """With SIGNING_CERT_FILE and SIGNING_CERT_PASSWORD set, the report is signed with that
    certificate, and it validates trusting that one."""
    assert sign(api, signing_task).status_code == 200
    pdf = api.get(f"/api/v1/instances/{signing_task['instance_id']}/report.pdf").data
    certificate = pades.load_certificate(configured_p12, "rahasia")
    status = validate(pdf, certificate)
    assert status.bottom_line
    assert "BSrE uji" in status.signing_cert.subject.human_friendly


def test_a_wrong_certificate_passphrase_refuses_signing(app, api, signing_task, configured_p12):
    """A passphrase that does not open the configured file: 503 and nothing signed."""
    app.config["SIGNING_CERT_PASSWORD"] = "salah"
    error = error_of(sign(api, signing_task), 503, "signing_certificate_unavailable")
    assert "Sertifikat penandatanganan kantor" in error["message"]
    with app.app_context():
        assert db.session.scalar(sa.select(SignedReport)) is None
        assert db.session.scalar(sa.select(AuditEvent).filter_by(action="report.signed")) is None
    assert api.get(f"/api/v1/tasks/{signing_task['id']}").get_json()["status"] == "open"
