"""The office profile: the name, government, address, contacts, city, public address and
logo that every page header, letterhead (kop surat) and signed report prints.

Everything reads the profile through `office_profile()`. Until an admin saves it, the
configuration's OFFICE_* values and BASE_URL stand in for it; `seed_office_profile` (run by
`flask init-db`) stores them as the profile's first version.
"""

import base64
import binascii
import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from app.errors import DomainError
from app.extensions import db
from app.models import OfficeProfile, User, utcnow
from app.services import audit
from app.services.permissions import require_admin

PROFILE_ID = 1
MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_PIXELS = 4000
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
# field -> (longest length, required)
TEXT_FIELDS = {
    "name": (200, True),
    "government": (200, True),
    "address": (300, True),
    "phone": (60, False),
    "email": (254, False),
    "website": (300, False),
    "city": (100, True),
    "base_url": (300, True),
}
LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
EMAIL = re.compile(rf"^[^@\s]{{1,64}}@{LABEL}(?:\.{LABEL})+$")
PHONE = re.compile(r"^[0-9+()./ -]{3,60}$")
HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$")
UNSET: Any = object()
# Where the development server answers when nothing says otherwise: a link to it opens only
# on the server's own machine, so a real deployment is warned (`base_url_unset`).
FALLBACK_BASE_URL = "http://127.0.0.1:5000"


@dataclass(frozen=True)
class Logo:
    content: bytes
    media_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)

    def data_uri(self) -> str:
        """The logo as a `data:` URI, for a PDF that fetches nothing."""
        return f"data:{self.media_type};base64,{base64.b64encode(self.content).decode()}"

    def fitted(self, box: int) -> tuple[int, int]:
        """The logo's width and height scaled to fit a `box`-sized square, its shape kept."""
        from PIL import Image

        with Image.open(io.BytesIO(self.content)) as image:
            width, height = image.size
        scale = box / max(width, height, 1)
        return max(1, round(width * scale)), max(1, round(height * scale))


@dataclass(frozen=True)
class Profile:
    """The office profile as every reader sees it."""

    name: str
    government: str
    address: str
    phone: str
    email: str
    website: str
    city: str
    base_url: str
    logo: Logo | None = None
    updated_at: datetime | None = None  # None: the configuration's defaults, never saved

    def letterhead(self) -> dict[str, str]:
        """The facts a letterhead and a signed report state (the logo is drawn, not said)."""
        return {name: getattr(self, name) for name in TEXT_FIELDS if name != "base_url"}


def defaults() -> dict[str, str]:
    """The profile the configuration describes, before an admin edits it."""
    config = current_app.config
    return {
        "name": config["OFFICE_NAME"],
        "government": config["OFFICE_GOVERNMENT"],
        "address": config["OFFICE_ADDRESS"],
        "phone": config.get("OFFICE_PHONE", ""),
        "email": config.get("OFFICE_EMAIL", ""),
        "website": config.get("OFFICE_WEBSITE", ""),
        "city": config["OFFICE_CITY"],
        "base_url": config["BASE_URL"] or FALLBACK_BASE_URL,
    }


def _row() -> OfficeProfile | None:
    return db.session.get(OfficeProfile, PROFILE_ID)


def _profile_of(row: OfficeProfile | None) -> Profile:
    if row is None:
        return Profile(**defaults())
    logo = None
    if row.logo is not None:
        logo = Logo(row.logo, row.logo_media_type or "", row.logo_sha256 or "")
    values = {name: getattr(row, name) for name in TEXT_FIELDS}
    if row.updated_by_id is None and current_app.config["BASE_URL"]:
        # Never saved by an admin: the configured address (bin/run's own host and port) wins
        # over the one seeded at set-up, which may name another port.
        values["base_url"] = current_app.config["BASE_URL"]
    return Profile(**values, logo=logo, updated_at=row.updated_at)


def office_profile() -> Profile:
    """Return the office profile (the configuration's defaults until one is saved)."""
    return _profile_of(_row())


def base_url() -> str:
    """Where the office serves this app: the root of every verification link."""
    return office_profile().base_url


def base_url_unset() -> bool:
    """Is the verification address no one's choice: no BASE_URL configured and the profile
    still at the development fallback?"""
    return not current_app.config["BASE_URL"] and base_url() == FALLBACK_BASE_URL


def seed_office_profile() -> bool:
    """Store the configuration's profile as the office's first one, unless there is one;
    answer whether it was stored."""
    if _row() is not None:
        return False
    db.session.add(OfficeProfile(id=PROFILE_ID, **defaults()))
    db.session.flush()
    return True


# --- checking what an admin sends -----------------------------------------------------


def _invalid(field: str, code: str, **params) -> DomainError:
    return DomainError(422, code, details={"field": field}, field=field, **params)


def _check_url(field: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or not HOST.match(parts.netloc):
        raise _invalid(field, "invalid_url")
    if field == "base_url" and (parts.query or parts.fragment):
        raise _invalid(field, "invalid_url")
    return value.rstrip("/") if field == "base_url" else value


def check_text(field: str, value: Any) -> str:
    """Return `value` as field `field` keeps it (stripped), or raise 422 naming the field."""
    limit, required = TEXT_FIELDS[field]
    text = "" if value is None else value
    if not isinstance(text, str):
        raise _invalid(field, "validation_error")
    text = " ".join(text.split()) if field != "address" else text.strip()
    if not text:
        if required:
            raise _invalid(field, "office_field_required")
        return ""
    if len(text) > limit:
        raise _invalid(field, "office_field_too_long", max=limit)
    if field == "email" and not EMAIL.match(text):
        raise _invalid(field, "invalid_email")
    if field == "phone" and not PHONE.match(text):
        raise _invalid(field, "invalid_phone")
    if field in ("website", "base_url"):
        return _check_url(field, text)
    return text


def check_logo(content: bytes) -> Logo:
    """Return the logo of these bytes: a PNG or JPEG image of at most MAX_LOGO_BYTES (413
    beyond it) that decodes (415 for anything else)."""
    from PIL import Image, UnidentifiedImageError

    if len(content) > MAX_LOGO_BYTES:
        raise DomainError(
            413, "logo_too_large", details={"field": "logo"}, limit_kb=MAX_LOGO_BYTES // 1024
        )
    if not content:
        raise DomainError(422, "empty_file", details={"field": "logo"})
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        kind = None
    if kind not in LOGO_TYPES:
        raise DomainError(415, "logo_not_an_image", details={"field": "logo"})
    if max(width, height) > MAX_LOGO_PIXELS:
        raise DomainError(
            422, "logo_too_big_picture", details={"field": "logo"}, max=MAX_LOGO_PIXELS
        )
    return Logo(content, LOGO_TYPES[kind], hashlib.sha256(content).hexdigest())


def logo_from_text(text: str) -> bytes:
    """Read a logo sent in JSON: base64, or a `data:image/...;base64,` URI (422 otherwise)."""
    payload = text.strip()
    if payload.startswith("data:"):
        header, _, payload = payload.partition(",")
        if not header.endswith(";base64"):
            raise _invalid("logo", "invalid_logo_encoding")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise _invalid("logo", "invalid_logo_encoding") from None


# --- changing it ----------------------------------------------------------------------


def _audit_view(profile: Profile) -> dict[str, Any]:
    view = {name: getattr(profile, name) for name in TEXT_FIELDS}
    view["logo"] = (
        None
        if profile.logo is None
        else {
            "sha256": profile.logo.sha256,
            "media_type": profile.logo.media_type,
            "size": profile.logo.size,
        }
    )
    return view


def update_office_profile(
    changes: Mapping[str, Any],
    *,
    actor: User,
    logo: bytes | str | None = UNSET,
    ip: str | None = None,
) -> Profile:
    """Change the office profile (admin only): the text fields in `changes` (a field left
    out stays), and the logo (bytes, or text as `logo_from_text` reads it; None removes it;
    UNSET keeps it). Audited with the old and the new profile."""
    require_admin(actor)
    if isinstance(logo, str):
        logo = logo_from_text(logo)
    unknown = set(changes) - set(TEXT_FIELDS)
    if unknown:
        raise _invalid(sorted(unknown)[0], "validation_error")
    checked = {field: check_text(field, value) for field, value in changes.items()}
    new_logo = check_logo(logo) if isinstance(logo, bytes | bytearray) else None
    row = _row()
    before = _profile_of(row)
    if row is None:
        row = OfficeProfile(id=PROFILE_ID, **defaults())
        db.session.add(row)
    for field, value in checked.items():
        setattr(row, field, value)
    if logo is not UNSET:
        row.logo = new_logo.content if new_logo else None
        row.logo_media_type = new_logo.media_type if new_logo else None
        row.logo_sha256 = new_logo.sha256 if new_logo else None
    row.updated_at = utcnow()
    row.updated_by = actor
    db.session.flush()
    after = _profile_of(row)
    old, new = _audit_view(before), _audit_view(after)
    changed = sorted(name for name in old if old[name] != new[name])
    audit.record(
        "office.profile_changed",
        actor=actor,
        object_type="office",
        object_id=str(PROFILE_ID),
        summary=f"{actor.username} mengubah profil kantor"
        + (f" ({', '.join(changed)})" if changed else " (tanpa perubahan)"),
        data={"before": old, "after": new, "changed": changed},
        ip=ip,
    )
    return after
