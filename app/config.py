"""Configuration read from the environment, with a test configuration."""

import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    """Settings for a real run; every value can be overridden by an environment variable."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'sakip.db'}"
    )
    # No `pool_pre_ping`: app.database pings only connections that rested in the pool.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    STORAGE_DIR = os.environ.get("STORAGE_DIR", str(BASE_DIR / "instance" / "blobs"))
    SOP_DIR = os.environ.get("SOP_DIR", str(BASE_DIR / "app" / "sops"))
    # The SOP a new measurement runs unless another is chosen, and whose lanes lead the board.
    DEFAULT_SOP = os.environ.get("DEFAULT_SOP", "pengukuran-kinerja")
    # Who may write indicator values: role codes, comma-separated in the environment.
    INDICATOR_WRITER_ROLES = tuple(
        role.strip()
        for role in os.environ.get("INDICATOR_WRITER_ROLES", "admin,anggota").split(",")
        if role.strip()
    )
    CALENDAR_FILE = os.environ.get(
        "CALENDAR_FILE", str(BASE_DIR / "app" / "data" / "calendar-purbalingga.yaml")
    )
    # The letterhead of generated documents.
    OFFICE_GOVERNMENT = os.environ.get("OFFICE_GOVERNMENT", "Pemerintah Kabupaten Purbalingga")
    OFFICE_NAME = os.environ.get("OFFICE_NAME", "Kecamatan Purbalingga")
    OFFICE_ADDRESS = os.environ.get("OFFICE_ADDRESS", "Kabupaten Purbalingga, Jawa Tengah")
    OFFICE_CITY = os.environ.get("OFFICE_CITY", "Purbalingga")
    # Where the office serves this app: printed (with a QR code) on every signed report as
    # the link to its public verification page, `<BASE_URL>/verify/<sha256>`.
    # The office profile's `base_url`, once an admin saves it, wins over this; left unset,
    # the link is the development fallback below and a real deployment is warned about it
    # (bin/run sets it to the host and port it serves on).
    BASE_URL = os.environ.get("BASE_URL", "")
    # The audit chain's key (HMAC): AUDIT_KEY, else the file AUDIT_KEY_FILE that `flask init-db`
    # creates. Never in the database or its backups; the same on every host.
    AUDIT_KEY = os.environ.get("AUDIT_KEY")
    AUDIT_KEY_FILE = os.environ.get("AUDIT_KEY_FILE", str(BASE_DIR / "instance" / "audit.key"))
    # The office certificate that signs reports (a PAdES signature): a PKCS#12 file and its
    # passphrase (e.g. issued by BSrE). Unset, `flask init-db` makes a self-signed office
    # certificate at SIGNING_SELF_SIGNED_FILE (its passphrase, if any, SIGNING_CERT_PASSWORD).
    # Like the audit key: outside the database and its backups, the same on every host.
    SIGNING_CERT_FILE = os.environ.get("SIGNING_CERT_FILE", "")
    SIGNING_CERT_PASSWORD = os.environ.get("SIGNING_CERT_PASSWORD", "")
    SIGNING_SELF_SIGNED_FILE = os.environ.get(
        "SIGNING_SELF_SIGNED_FILE", str(BASE_DIR / "instance" / "signing-office.p12")
    )
    # The checkpoint journal (default: audit-checkpoints.jsonl beside STORAGE_DIR) and how often at
    # most each process appends to it.
    AUDIT_JOURNAL = os.environ.get("AUDIT_JOURNAL")
    AUDIT_CHECKPOINT_SECONDS = _env_int("AUDIT_CHECKPOINT_SECONDS", 60)
    # The most events one audit PDF prints (xhtml2pdf takes ~15 ms a row: 2,000 in ~30 s);
    # a wider range is refused with 422 too_many_events (CSV and JSON Lines have no limit).
    AUDIT_PDF_MAX_EVENTS = _env_int("AUDIT_PDF_MAX_EVENTS", 2000)
    MAX_CONTENT_LENGTH = _env_int("MAX_UPLOAD_MB", 20) * 1024 * 1024
    TOKEN_TTL_HOURS = _env_int("TOKEN_TTL_HOURS", 12)
    # The board: cards a lane shows before its "Tampilkan N lagi", and rendered boards each
    # process keeps (0 keeps none: every board is rendered afresh).
    BOARD_LANE_CARDS = _env_int("BOARD_LANE_CARDS", 20)
    BOARD_CACHE_SIZE = _env_int("BOARD_CACHE_SIZE", 64)

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Failed sign-ins (token, login page, signing password) are counted in the database: an
    # account locks for ACCOUNT_LOCK_MINUTES after ACCOUNT_LOCK_FAILURES of them within
    # ACCOUNT_FAILURE_WINDOW_MINUTES; an address is slowed (429) only past
    # ADDRESS_FAILURE_LIMIT in that window, far above one office's typing mistakes.
    ACCOUNT_LOCK_FAILURES = _env_int("ACCOUNT_LOCK_FAILURES", 5)
    ACCOUNT_LOCK_MINUTES = _env_int("ACCOUNT_LOCK_MINUTES", 15)
    ACCOUNT_FAILURE_WINDOW_MINUTES = _env_int("ACCOUNT_FAILURE_WINDOW_MINUTES", 15)
    ADDRESS_FAILURE_LIMIT = _env_int("ADDRESS_FAILURE_LIMIT", 50)
    # The password policy: the shortest password, and the least zxcvbn score (0-4).
    PASSWORD_MIN_LENGTH = _env_int("PASSWORD_MIN_LENGTH", 10)
    PASSWORD_MIN_SCORE = _env_int("PASSWORD_MIN_SCORE", 3)
    VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "60 per minute")

    # How many reverse proxies stand in front of the app (0: none); their X-Forwarded-For
    # then names the client for the audit trail and the rate limits (app/headers.py).
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
    # `flask blobs gc` leaves files younger than this alone: an upload in flight may be about
    # to commit the row that refers to its blob (app/services/blob_hygiene.py).
    BLOB_GC_GRACE_SECONDS = _env_int("BLOB_GC_GRACE_SECONDS", 3600)

    # E-mail of reminders (`flask reminders send`): off while MAIL_SERVER is unset (reminders
    # are then only in the app). A claimed mail not recorded as sent after
    # REMINDER_CLAIM_TIMEOUT_MINUTES is a crashed sender's: the next run sends it again.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0").lower() in ("1", "true", "yes")
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0").lower() in ("1", "true", "yes")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "sakip@localhost")
    REMINDER_CLAIM_TIMEOUT_MINUTES = _env_int("REMINDER_CLAIM_TIMEOUT_MINUTES", 10)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"

    API_TITLE = "SAKIP Kecamatan — Pengukuran Kinerja"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


class TestConfig(Config):
    """Settings for the test suite: a throw-away database and store, fast password hashing."""

    TESTING = True
    SECRET_KEY = "test"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = True
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    RATELIMIT_STORAGE_URI = "memory://"
    AUDIT_KEY = "test-audit-key-not-for-production"
    AUDIT_CHECKPOINT_SECONDS = 0
    # Tests that mail start their own SMTP server and name it.
    MAIL_SERVER = None
    # One self-signed office certificate for the whole run, made by the first signing (an RSA
    # key per test would be slow); a test about configuring a certificate sets its own.
    SIGNING_CERT_FILE = ""
    SIGNING_CERT_PASSWORD = ""
    SIGNING_SELF_SIGNED_FILE = str(
        Path(tempfile.gettempdir()) / f"sakip-test-office-signing-{os.getuid()}.p12"
    )
