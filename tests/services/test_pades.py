"""The office certificate (app/services/pades.py): made at set-up beside the audit key and
named after the office profile, read from a configured PKCS#12 file, and the signature it
makes on a PDF."""

import stat

import pytest

from app.config import TestConfig
from app.demo import demo_pdf
from app.errors import DomainError
from app.services import pades


def config_for(tmp_path, **extra) -> dict:
    return {"SIGNING_SELF_SIGNED_FILE": str(tmp_path / "signing-office.p12"), **extra}


def make(config):
    return pades.ensure_self_signed_certificate(
        config,
        name="Kecamatan Purbalingga",
        organisation="Pemerintah Kabupaten Purbalingga",
        city="Purbalingga",
    )


def test_the_self_signed_certificate_is_made_once_for_the_owner_only(tmp_path):
    """The file is made readable by its owner only; a second call keeps it."""
    config = config_for(tmp_path)
    path = make(config)
    assert path == tmp_path / "signing-office.p12"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_bytes()
    assert make(config) is None
    assert path.read_bytes() == first


def test_it_is_named_after_the_office(tmp_path):
    """Its subject names the office, the government and the city, in Indonesia."""
    certificate = pades.load_certificate(make(config_for(tmp_path)), None)
    names = certificate.certificate.subject.native
    assert names["common_name"] == "Kecamatan Purbalingga"
    assert names["organization_name"] == "Pemerintah Kabupaten Purbalingga"
    assert (names["locality_name"], names["country_name"]) == ("Purbalingga", "ID")
    assert certificate.subject_label == "Kecamatan Purbalingga (Pemerintah Kabupaten Purbalingga)"
    assert b"BEGIN CERTIFICATE" in certificate.pem()


def test_a_configured_certificate_is_not_replaced(tmp_path):
    """With SIGNING_CERT_FILE set, set-up makes nothing."""
    config = config_for(tmp_path, SIGNING_CERT_FILE=str(tmp_path / "bsre.p12"))
    assert make(config) is None
    assert not (tmp_path / "signing-office.p12").exists()


def test_a_passphrase_protects_the_file(tmp_path):
    """Made with SIGNING_CERT_PASSWORD, the file opens with it and not without it."""
    path = make(config_for(tmp_path, SIGNING_CERT_PASSWORD="rahasia-kantor"))
    assert pades.load_certificate(path, "rahasia-kantor").fingerprint
    with pytest.raises(DomainError) as refused:
        pades.load_certificate(path, None)
    assert (refused.value.status, refused.value.code) == (503, "signing_certificate_unavailable")


def test_a_missing_configured_file_is_503(app_ctx, app, tmp_path):
    """A configured file that is not there refuses signing with 503, never a crash."""
    app.config["SIGNING_CERT_FILE"] = str(tmp_path / "tidak-ada.p12")
    with pytest.raises(DomainError) as refused:
        pades.office_certificate()
    assert refused.value.status == 503


def test_sign_and_check(tmp_path):
    """A signed PDF checks valid with its certificate; the unsigned one has no signature."""
    certificate = pades.load_certificate(make(config_for(tmp_path)), None)
    pdf = demo_pdf("Laporan", ["isi"])
    signed = pades.sign_pdf(pdf, certificate, name="Camat", reason="uji", location="Purbalingga")
    assert signed.startswith(pdf)  # an incremental update: the signed bytes stay as they were
    assert pades.check_signature(signed, certificate).valid
    assert not pades.check_signature(pdf, certificate).signed
    appended = signed + b"\n% added after signing\n"
    assert not pades.check_signature(appended, certificate).valid


def test_init_db_makes_the_certificate_beside_the_audit_key(tmp_path):
    """`flask init-db` makes the self-signed office certificate, named after the profile,
    and says so; a second run keeps it."""
    from app import create_app
    from app.extensions import db

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'sakip.db'}",
        STORAGE_DIR=str(tmp_path / "blobs"),
        SIGNING_SELF_SIGNED_FILE=str(tmp_path / "signing-office.p12"),
        OFFICE_NAME="Kecamatan Kalimanah",
    )
    app = create_app(config)
    try:
        result = app.test_cli_runner().invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert "Self-signed office signing certificate created" in result.output
        certificate = pades.load_certificate(tmp_path / "signing-office.p12", None)
        assert certificate.certificate.subject.native["common_name"] == "Kecamatan Kalimanah"
        again = app.test_cli_runner().invoke(args=["init-db"])
        assert again.exit_code == 0
        assert "certificate created" not in again.output
    finally:
        with app.app_context():
            db.engine.dispose()


def test_signing_works_inside_a_running_event_loop(tmp_path):
    """Called where an event loop runs (pyHanko's sync calls start their own), signing and
    checking still work."""
    import asyncio

    certificate = pades.load_certificate(make(config_for(tmp_path)), None)
    pdf = demo_pdf("Laporan", ["isi"])

    async def inside_a_loop():
        signed = pades.sign_pdf(pdf, certificate, name="Camat", reason="uji", location="X")
        return pades.check_signature(signed, certificate)

    assert asyncio.run(inside_a_loop()).valid
