"""The page round the content (app/web/chrome.py): the menu's links follow the newest SOP
versions, kept per app, and the bell counts on every page."""

from pathlib import Path

from app.config import Config
from app.extensions import db
from app.services.sop_definitions import sync_definitions

START_LINK = ">Mulai pengukuran</a>"
KINERJA_LINK = ">Kinerja SOP</a>"


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
