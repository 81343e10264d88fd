"""The one message catalogue: gettext catalogues in `translations/`, read through Babel.

Messages are written in English (the msgids) and translated in
`translations/<lang>/LC_MESSAGES/messages.po`; Indonesian is the office's language and the
default. The compiled `.mo` files are not kept in git: the first use of the catalogue (the
app's start, or a message rendered by a CLI command or a test) compiles each `.po` whose
`.mo` is missing or older, so a fresh clone needs no step done by hand.

Which language a request reads is decided in one place, `app.http.request_language`: the
pages always Indonesian, the API by `Accept-Language`. Flask-Babel's locale selector is that
function, and the pages' forms (Flask-WTF) take their validation messages from the same
catalogue, because WTForms ships no Indonesian translation of its own.
"""

import functools
import io
import logging
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from app.config import BASE_DIR

log = logging.getLogger(__name__)

TRANSLATIONS_DIR = BASE_DIR / "translations"
DOMAIN = "messages"
# The languages messages are rendered in: the msgids' own, and the catalogues'.
SOURCE_LANGUAGE = "en"
DEFAULT_LANGUAGE = "id"
LANGUAGES = (DEFAULT_LANGUAGE, SOURCE_LANGUAGE)


def N_(message: str) -> str:
    """Mark `message` as a msgid for `pybabel extract` where it is translated later (a table
    of messages); return it unchanged."""
    return message


def catalogue_path(lang: str) -> Path:
    """The `.po` file of `lang`'s translations."""
    return TRANSLATIONS_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(lang: str):
    """Read `lang`'s `.po` file as a Babel catalogue."""
    with catalogue_path(lang).open("rb") as source:
        return read_po(source, locale=lang, domain=DOMAIN)


def _compiled(po: Path) -> bytes:
    with po.open("rb") as source:
        catalogue = read_po(source, locale=po.parent.parent.name, domain=DOMAIN)
    target = io.BytesIO()
    # Fuzzy entries are not translations yet: they fall back to English, and the catalogue
    # test names them.
    write_mo(target, catalogue, use_fuzzy=False)
    return target.getvalue()


def _write_atomically(path: Path, content: bytes) -> None:
    """Write `content` to `path` so that another process never reads half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)


def _stale(po: Path, mo: Path) -> bool:
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


@functools.cache
def compiled_directory() -> Path:
    """Compile every catalogue whose `.mo` is missing or older than its `.po`, and return the
    folder holding the current `.mo` files: `translations/` itself, or a folder of the
    temporary directory when the installation's own cannot be written."""
    pos = sorted(TRANSLATIONS_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    try:
        for po in pos:
            if _stale(po, po.with_suffix(".mo")):
                _write_atomically(po.with_suffix(".mo"), _compiled(po))
        return TRANSLATIONS_DIR
    except OSError as error:
        fallback = Path(tempfile.gettempdir()) / f"sakip-translations-{os.getuid()}"
        log.warning(
            "Cannot compile the catalogues in %s (%s); using %s", TRANSLATIONS_DIR, error, fallback
        )
        for po in pos:
            mo = fallback / po.relative_to(TRANSLATIONS_DIR).with_suffix(".mo")
            if _stale(po, mo):
                _write_atomically(mo, _compiled(po))
        return fallback


@functools.cache
def translations(lang: str) -> NullTranslations:
    """The translations of `lang`: the msgids themselves for English (and any language the
    catalogue does not have), else the compiled catalogue."""
    if lang == SOURCE_LANGUAGE:
        return NullTranslations()
    found = Translations.load(str(compiled_directory()), [lang], domain=DOMAIN)
    return found if isinstance(found, Translations) else NullTranslations()


def translate(message: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Translate the msgid `message` into `lang` (English msgids stay as they are)."""
    return translations(lang).gettext(message)


def _forms_speak_the_catalogue() -> None:
    """Give Flask-WTF this request's translations for its validators' messages.

    Flask-WTF looks them up in WTForms' own catalogues (which have no Indonesian) and keeps
    what it found on the request as `wtforms_translations`; putting the catalogue there
    first makes every form of every page speak it."""
    from flask import request

    from app.http import request_language

    request.wtforms_translations = translations(request_language())


def init_app(app) -> None:
    """Bind Flask-Babel to the catalogue, with the edge's language as its locale selector."""
    from app.extensions import babel
    from app.http import request_language

    babel.init_app(
        app,
        default_locale=DEFAULT_LANGUAGE,
        default_translation_directories=str(compiled_directory()),
        locale_selector=request_language,
    )
    app.before_request(_forms_speak_the_catalogue)
