"""The one catalogue (translations/): complete, in step with the code, compiled by itself."""

import os
import shutil
import time
from pathlib import Path

import pytest
import wtforms
from babel.messages.pofile import read_po

from app import errors, i18n, i18n_tools
from app.errors import MESSAGES, Phrase, render_message
from app.i18n_forms import MESSAGES as FORM_MESSAGES


def test_every_message_has_an_indonesian_translation():
    """Does the id catalogue translate every marked message, with the msgid's placeholders?"""
    assert i18n_tools.catalogue_problems("id") == []


def test_no_message_is_left_as_a_pair():
    """Has every (Indonesian, English) pair of MESSAGES been adopted into the catalogue?"""
    pairs = [code for code, entry in MESSAGES.items() if not isinstance(entry, str)]
    assert pairs == [], f"run `python -m app.i18n_tools adopt` for: {', '.join(pairs)}"


def test_every_wtforms_message_is_in_the_catalogue():
    """Does the catalogue hold every message WTForms can show (its own template's msgids)?"""
    template_path = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"
    with template_path.open("rb") as source:
        wtforms_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(source) if m.id}
    ours = {m if isinstance(m, str) else m[0] for m in FORM_MESSAGES}
    assert wtforms_ids - ours == set()
    catalogue = i18n.read_catalogue("id")
    for msgid in wtforms_ids:
        assert catalogue.get(msgid) is not None, msgid


def test_english_is_the_msgid_and_indonesian_its_translation():
    """Does a code render its English msgid in English and the catalogue's text otherwise?"""
    assert render_message("missing_documents", "en", step=3, kinds="Nota Dinas") == (
        "Step 3 cannot be finished yet; missing documents: Nota Dinas."
    )
    assert render_message("missing_documents", "id", step=3, kinds="Nota Dinas") == (
        "Langkah 3 belum dapat diselesaikan, dokumen yang belum ada: Nota Dinas."
    )
    # Any other language is the office's.
    assert render_message("invalid_credentials", "fr") == "Nama pengguna atau kata sandi salah."


def test_a_phrase_parameter_speaks_the_language_of_its_message():
    """Is a parameter that is itself a message (the verb of self_review) translated too?"""
    params = {"step": 10, "by_step": 9, "actors": "Sekcam", "verb": Phrase(i18n.N_("finished"))}
    assert "Anda sendiri menyelesaikan langkah 9" in render_message("self_review", "id", **params)
    assert "you finished step 9" in render_message("self_review", "en", **params)
    problems = Phrase(i18n.N_("band codes must be unique"), i18n.N_("finished"), separator="; ")
    assert render_message("invalid_scale", "id", problems=problems) == (
        "Skala predikat tidak valid: kode predikat harus berbeda satu sama lain; menyelesaikan."
    )


def test_a_missing_parameter_leaves_the_template():
    """Does a message with a parameter missing still render (never a crash)?"""
    assert render_message("missing_documents", "id") == (
        "Langkah {step} belum dapat diselesaikan, dokumen yang belum ada: {kinds}."
    )
    assert render_message("no_such_code", "en") == "no_such_code"


@pytest.fixture
def scratch_translations(tmp_path, monkeypatch) -> Path:
    """A copy of translations/ that the catalogue functions read instead."""
    folder = tmp_path / "translations"
    shutil.copytree(i18n.TRANSLATIONS_DIR, folder, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", folder)
    return folder


def test_a_missing_or_older_mo_is_compiled(scratch_translations):
    """Is the .mo compiled when it is missing, and again when the .po is newer?"""
    po = scratch_translations / "id" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    assert not mo.exists()
    assert i18n.compiled_directory.__wrapped__() == scratch_translations
    assert mo.exists()
    compiled = mo.read_bytes()
    assert b"Nama pengguna atau kata sandi salah." in compiled

    po.write_text(po.read_text().replace("kata sandi salah.", "kata sandi keliru."))
    later = time.time() + 5
    os.utime(po, (later, later))
    i18n.compiled_directory.__wrapped__()
    assert b"kata sandi keliru." in mo.read_bytes()


def test_adopt_moves_a_pair_into_the_catalogue(tmp_path, monkeypatch, scratch_translations):
    """Does `adopt` turn a new (Indonesian, English) pair into an N_() msgid and its
    Indonesian translation, keeping what the catalogue already had?"""
    (tmp_path / "app").mkdir()
    shutil.copy(i18n_tools.BASE_DIR / "babel.cfg", tmp_path / "babel.cfg")
    module = tmp_path / "app" / "errors.py"
    module.write_text(
        "from app.i18n import N_\n\n"
        "MESSAGES = {\n"
        '    "invalid_credentials": N_("Wrong username or password."),\n'
        "    # --- a new area ---\n"
        '    "cuti_refused": (\n'
        '        "Cuti {name} ditolak – sudah ada di baris {row}.",\n'
        '        "Leave {name} refused: already in row {row}.",\n'
        "    ),\n"
        "}\n"
    )
    monkeypatch.setattr(i18n_tools, "BASE_DIR", tmp_path)
    monkeypatch.setattr(i18n_tools, "ERRORS_MODULE", module)
    monkeypatch.setattr(i18n_tools, "TRANSLATIONS_DIR", scratch_translations)

    assert i18n_tools.adopt() == 1

    source = module.read_text()
    assert '"cuti_refused": N_("Leave {name} refused: already in row {row}.")' in source
    assert "# --- a new area ---" in source
    catalogue = i18n.read_catalogue("id")
    assert catalogue.get("Leave {name} refused: already in row {row}.").string == (
        "Cuti {name} ditolak – sudah ada di baris {row}."
    )
    assert catalogue.get("Wrong username or password.").string == (
        "Nama pengguna atau kata sandi salah."
    )
    assert i18n_tools.adopt() == 0


def test_adopt_refuses_pairs_whose_placeholders_differ(tmp_path, monkeypatch):
    """Does `adopt` refuse, changing nothing, a pair whose two texts fill other names?"""
    module = tmp_path / "errors.py"
    text = 'MESSAGES = {\n    "x": ("Skala {masalah}.", "Scale {problems}."),\n}\n'
    module.write_text(text)
    monkeypatch.setattr(i18n_tools, "ERRORS_MODULE", module)
    with pytest.raises(SystemExit, match="name them alike"):
        i18n_tools.adopt()
    assert module.read_text() == text


def test_the_errors_module_names_the_adopt_command():
    """Does app/errors.py tell a new code's author how to add its message?"""
    assert "python -m app.i18n_tools adopt" in errors.__doc__


def test_a_read_only_installation_compiles_elsewhere(scratch_translations, monkeypatch, tmp_path):
    """When translations/ cannot be written, is the catalogue compiled into a folder of the
    temporary directory, and read from there?"""
    write = i18n._write_atomically

    def read_only_here(path, content):
        if path.is_relative_to(scratch_translations):
            raise PermissionError(13, "Read-only file system")
        write(path, content)

    monkeypatch.setattr(i18n, "_write_atomically", read_only_here)
    monkeypatch.setattr(i18n.tempfile, "gettempdir", lambda: str(tmp_path))
    folder = i18n.compiled_directory.__wrapped__()
    assert folder.is_relative_to(tmp_path)
    assert (folder / "id" / "LC_MESSAGES" / "messages.mo").exists()
