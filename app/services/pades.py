"""The office's digital signature: a PAdES signature (pyHanko) on the signed report, made
with the office certificate, and its validation for the public verification page.

The certificate is a PKCS#12 file: the one the admin configures (SIGNING_CERT_FILE and
SIGNING_CERT_PASSWORD, e.g. issued by BSrE), or else a self-signed office certificate that
`flask init-db` makes beside the audit key (SIGNING_SELF_SIGNED_FILE), named after the
office profile. Like the audit key it lives outside the database and its backups, and every
host must hold the same file.
"""

import asyncio
import datetime as dt
import io
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from flask import current_app

from app.errors import DomainError

SIGNATURE_FIELD = "TandaTanganKantor"
SELF_SIGNED_YEARS = 10
KEY_BITS = 2048


@dataclass(frozen=True)
class OfficeCertificate:
    """The signing key and certificate of the office, loaded from its PKCS#12 file."""

    path: Path
    signer: object  # pyhanko.sign.signers.SimpleSigner
    certificate: asn1_x509.Certificate

    @property
    def subject(self) -> str:
        """The certificate's subject as a reader shows it (CN, O, L, C)."""
        return self.certificate.subject.human_friendly

    @property
    def subject_label(self) -> str:
        """The certificate's holder as a page names it: "Kecamatan X (Pemerintah Y)"."""
        names = self.certificate.subject.native
        holder = names.get("common_name") or self.subject
        organisation = names.get("organization_name")
        return f"{holder} ({organisation})" if organisation else holder

    @property
    def fingerprint(self) -> str:
        """The certificate's SHA-256 fingerprint, hex."""
        return self.certificate.sha256.hex()

    def pem(self) -> bytes:
        """The certificate (without its key) as PEM, for a reader's or pyHanko's trust list."""
        der = self.certificate.dump()
        return x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class SignatureCheck:
    """What validating an uploaded PDF's embedded signature found."""

    signed: bool  # the file has an embedded signature at all
    intact: bool = False  # the signed bytes are unchanged
    trusted: bool = False  # made with the office certificate
    whole_file: bool = False  # the signature covers the whole file (nothing added after)
    signer: str | None = None

    @property
    def valid(self) -> bool:
        """An unaltered file signed with the office certificate."""
        return self.signed and self.intact and self.trusted and self.whole_file


# --------------------------------------------------------------------------- the certificate


def _self_signed_p12(name: str, organisation: str, city: str, password: str | None) -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
            x509.NameAttribute(NameOID.LOCALITY_NAME, city[:128]),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * SELF_SIGNED_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    return pkcs12.serialize_key_and_certificates(name.encode(), key, certificate, None, encryption)


def self_signed_file(config) -> Path:
    return Path(config["SIGNING_SELF_SIGNED_FILE"])


def certificate_file(config) -> Path:
    """The PKCS#12 file the office signs with: the configured one, else the self-signed."""
    configured = config.get("SIGNING_CERT_FILE")
    return Path(configured) if configured else self_signed_file(config)


def ensure_self_signed_certificate(
    config, *, name: str, organisation: str, city: str
) -> Path | None:
    """Make the self-signed office certificate, readable by its owner only, unless a
    certificate is configured or the file exists; answer its path when it was made.

    Written aside and linked into place, so two processes making it at once keep one."""
    if config.get("SIGNING_CERT_FILE"):
        return None
    path = self_signed_file(config)
    if path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    content = _self_signed_p12(name, organisation, city, config.get("SIGNING_CERT_PASSWORD"))
    descriptor, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".signing-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        os.chmod(tmp_name, 0o600)
        try:
            os.link(tmp_name, path)
        except FileExistsError:
            return None
    finally:
        os.unlink(tmp_name)
    return path


def load_certificate(path: Path, password: str | None) -> OfficeCertificate:
    """Read a PKCS#12 file; raise 503 `signing_certificate_unavailable` if it cannot be."""
    from pyhanko.sign import signers

    try:
        data = path.read_bytes()
        signer = signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=None, passphrase=password.encode() if password else None
        )
    except (OSError, ValueError, TypeError):
        signer = None
    if signer is None:
        raise DomainError(503, "signing_certificate_unavailable")
    return OfficeCertificate(path=path, signer=signer, certificate=signer.signing_cert)


def office_certificate() -> OfficeCertificate:
    """The running app's office certificate, read once per app and file version.

    The self-signed one is made here if set-up has not made it yet (the demo, the tests)."""
    from app.services.office import office_profile

    config = current_app.config
    path = certificate_file(config)
    if not path.exists() and not config.get("SIGNING_CERT_FILE"):
        profile = office_profile()
        ensure_self_signed_certificate(
            config, name=profile.name, organisation=profile.government, city=profile.city
        )
    try:
        stamp = (str(path), path.stat().st_mtime_ns)
    except OSError:
        raise DomainError(503, "signing_certificate_unavailable") from None
    cache = current_app.extensions.setdefault("office_certificate", {})
    if cache.get("stamp") != stamp:
        cache["certificate"] = load_certificate(path, config.get("SIGNING_CERT_PASSWORD"))
        cache["stamp"] = stamp
    return cache["certificate"]


# --------------------------------------------------------------------------- signing


def _outside_event_loop(function, *args, **kwargs):
    """Call `function` here, or in a thread of its own when this thread runs an event loop:
    pyHanko's synchronous calls start one (asyncio.run), which a running loop forbids."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(function, *args, **kwargs).result()


def sign_pdf(
    pdf: bytes, certificate: OfficeCertificate, *, name: str, reason: str, location: str
) -> bytes:
    """Add the office's PAdES signature (SHA-256) to `pdf`; answer the signed file."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=name,
        reason=reason,
        location=location,
    )
    output = _outside_event_loop(signers.sign_pdf, writer, metadata, signer=certificate.signer)
    return output.getvalue()


def check_signature(pdf: bytes, certificate: OfficeCertificate) -> SignatureCheck:
    """Validate the last embedded signature of `pdf` trusting only the office certificate."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    # pyHanko raises many kinds of error on a file that is not a sound PDF, or on a mangled
    # signature; each means "no valid signature here", never a crash of the page.
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except Exception:
        return SignatureCheck(signed=False)
    if not signatures:
        return SignatureCheck(signed=False)
    context = ValidationContext(trust_roots=[certificate.certificate])
    try:
        status = _outside_event_loop(validate_pdf_signature, signatures[-1], context)
    except Exception:
        return SignatureCheck(signed=True)
    return SignatureCheck(
        signed=True,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signer=status.signing_cert.subject.human_friendly if status.signing_cert else None,
    )
