"""The page round the content (app/web/chrome.py): the menu's links follow the newest SOP
versions, kept per app, and a kept board's page round follows all it shows."""

import hashlib
import re
from pathlib import Path

import sqlalchemy as sa

from app.config import Config
from app.extensions import db
from app.models import OfficeProfile, User
from app.services.sop_definitions import sync_definitions
from tests.api.test_notifications import return_at_review
from tests.office_helpers import png_logo
from tests.web.conftest import forget_rendered
from tests.web.test_notifications import bell_count

START_LINK = ">Mulai pengukuran</a>"
KINERJA_LINK = ">Kinerja SOP</a>"
# A CSRF token in the header's meta tag or in a form.
TOKEN = re.compile(r'(?<=name="csrf-token" content=")[^"]+|(?<=name="csrf_token" value=")[^"]+')


def register_version_started_by(app, tmp_path: Path, role: str) -> None:
    """Register a new version of the shipped SOP whose first step `role` may do too."""
    shipped = Path(Config.SOP_DIR) / "pengukuran-kinerja.yaml"
    text = shipped.read_text(encoding="utf-8")
    first_actors = "    actors: [camat]\n"
    assert first_actors in text
    folder = tmp_path / "sops"
    folder.mkdir()
    (folder / shipped.name).write_text(
        text.replace(first_actors, f"    actors: [camat, {role}]\n", 1), encoding="utf-8"
    )
    with app.app_context():
        assert [version.version for version in sync_definitions(folder)] == [2]
        db.session.commit()


def test_menu_shows_the_links_each_role_opens(pages):
    """Does the Camat's menu offer starting a measurement and Kinerja SOP, and a Kasi's
    neither?"""
    camat, kasi = pages("camat").get("/").text, pages("kasi").get("/").text
    assert START_LINK in camat and KINERJA_LINK in camat
    assert START_LINK not in kasi and KINERJA_LINK not in kasi


def test_menu_follows_a_version_registered_after_it_was_kept(app, pages, tmp_path):
    """Does the next page after a new SOP version is registered offer its starters the
    start link, though the menu's definitions were kept from the version before?"""
    kasi = pages("kasi")
    assert START_LINK not in kasi.get("/instances").text
    register_version_started_by(app, tmp_path, "kasi")
    assert START_LINK in kasi.get("/instances").text
    assert START_LINK in kasi.get("/").text


def logo_columns() -> dict:
    """The office profile's columns for a saved logo."""
    logo = png_logo()
    return {
        "logo": logo,
        "logo_media_type": "image/png",
        "logo_sha256": hashlib.sha256(logo).hexdigest(),
    }


def without_tokens(html: str) -> str:
    return TOKEN.sub("", html)


def header_of(html: str) -> str:
    """The page round before the board: the head and the top bar."""
    return html[: html.index('<main id="main">')]


def page_round_of(html: str) -> tuple[str, str]:
    """The page round a board: before its filters and after its last lane."""
    return header_of(html), html[html.index("</main>") :]


def test_kept_page_round_is_the_page_rendered_afresh(app, pages):
    """Is the page round a kept board answers with the one a fresh render gives, but for
    each session's own CSRF token in the header and in the sign-out form?"""
    camat, again = pages("camat"), pages("camat")
    rendered = camat.get("/").text
    kept = again.get("/").text
    forget_rendered(app)
    fresh = again.get("/").text
    assert page_round_of(without_tokens(kept)) == page_round_of(without_tokens(rendered))
    assert page_round_of(without_tokens(fresh)) == page_round_of(without_tokens(kept))
    (first,), (second,) = set(TOKEN.findall(rendered)), set(TOKEN.findall(kept))
    assert first != second
    assert header_of(kept).count(second) == 2


def test_kept_page_round_follows_what_it_shows(app, pages, runner, api):
    """Does the page round of a kept board show the bell's new count, a renamed user, the
    office's new name and logo and a flash message (once) at the next render?"""
    anggota = pages("anggota")
    before = anggota.get("/").text
    assert bell_count(before) == 0 and "Pengguna Anggota" in header_of(before)
    return_at_review(runner, api)
    assert bell_count(anggota.get("/").text) == 1
    for change, shown in (
        (sa.update(User).filter_by(username="anggota").values(full_name="Anggota Baru"), "Baru"),
        (sa.update(OfficeProfile).values(name="Kecamatan Kalimanah"), "SAKIP Kecamatan Kalimanah"),
        (sa.update(OfficeProfile).values(**logo_columns()), 'class="brand-logo"'),
    ):
        with app.app_context():
            db.session.execute(change)
            db.session.commit()
        assert shown in header_of(anggota.get("/").text)
    with anggota.client.session_transaction() as session:
        session["_flashes"] = [("success", "Langkah 9 diselesaikan.")]
    assert "Langkah 9 diselesaikan." in anggota.get("/").text
    assert "Langkah 9 diselesaikan." not in anggota.get("/").text
