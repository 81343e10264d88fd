"""Bahasa Indonesia on every page whatever the browser asks for; the API by Accept-Language.

Every error code of the catalogue is rendered through the HTML edge and the JSON edge, and
every form of the pages is validated with what makes each of its validators speak, all
with `Accept-Language: en`: no English word of the catalogue may reach a page.
"""

import html
import io
import re
import string

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import FileField
from wtforms.fields.choices import SelectFieldBase

from app.errors import MESSAGES, DomainError, render_message
from app.i18n import read_catalogue
from tests.web.conftest import csrf_from

ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}
WORD = re.compile(r"[A-Za-z]{3,}")
FIELD = re.compile(r"\{[^}]*\}|%\(\w+\)[sd]|%[sd]")  # a placeholder


def _words(text: str) -> set[str]:
    return {word.lower() for word in WORD.findall(FIELD.sub(" ", text))}


def english_only_words() -> set[str]:
    """The words of the catalogue's English msgids that none of its Indonesian uses
    ("the", "field", "required"…): seen on a page, they are English that got through."""
    english, indonesian = set(), set()
    for message in read_catalogue("id"):
        if not message.id:
            continue
        for msgid in message.id if isinstance(message.id, tuple) else (message.id,):
            english |= _words(msgid)
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            indonesian |= _words(text)
    return english - indonesian


# Words of the pages' own Indonesian text that English msgids use too: a key's name.
ON_INDONESIAN_PAGES = {"enter"}
ENGLISH_ONLY = english_only_words() - ON_INDONESIAN_PAGES


def english_in(text: str) -> set[str]:
    """The catalogue's English-only words in `text`."""
    return {word for word in _words(text) if word in ENGLISH_ONLY}


def sample_params(key: str) -> dict:
    """A value for every placeholder of the message `key` ("code" or "code/variant"):
    digits, never a word; and the variant."""
    names = {field for _, field, _, _ in string.Formatter().parse(MESSAGES[key]) if field}
    params = {name: "7" for name in names}
    if "/" in key:
        params["variant"] = key.split("/", 1)[1]
    return params


def render(key: str, lang: str) -> str:
    """The message `key` as the edge renders it in `lang`."""
    return render_message(key.split("/", 1)[0], lang, **sample_params(key))


def visible_main(page: str) -> str:
    """The text of the page's <main>, tags and entities resolved."""
    main = re.search(r"<main.*?</main>", page, re.S)
    assert main, "no <main> on the page"
    return html.unescape(re.sub(r"<[^>]+>", " ", main.group(0)))


@pytest.fixture
def refusing_app(own_sqlite_app):
    """The app with a page and an API call that refuse with any code: /_refuse/<code>."""

    def refuse(key: str):
        raise DomainError(422, key.split("/", 1)[0], **sample_params(key))

    own_sqlite_app.add_url_rule("/_refuse/<path:key>", "page_refusal", refuse)
    own_sqlite_app.add_url_rule("/api/_refuse/<path:key>", "api_refusal", refuse)
    return own_sqlite_app


def test_the_catalogue_knows_english_words_to_look_for():
    """Is the word list the walks look for made of real English (so they can fail)?"""
    assert {"the", "field", "required", "missing", "password", "wrong"} - ENGLISH_ONLY == {
        "password"
    }
    assert english_in("This field is required.") == {"this", "field", "required"}
    assert english_in("Wajib diisi. Kata sandi salah; tidak ada yang diubah.") == set()


def test_every_error_code_is_indonesian_on_a_page(refusing_app):
    """Does every code of the catalogue reach a page in Indonesian, with its exact text,
    when the browser prefers English?"""
    client = refusing_app.test_client()
    english_on_pages = {}
    for code in MESSAGES:
        response = client.get(f"/_refuse/{code}", headers=ENGLISH)
        assert response.status_code == 422, code
        text = visible_main(response.text)
        assert render(code, "id") in text, code
        if english_in(text):
            english_on_pages[code] = sorted(english_in(text))
    assert english_on_pages == {}


def test_the_api_answers_every_code_by_accept_language(refusing_app):
    """Does the API answer each code in English for `en`, and in Indonesian by default?"""
    client = refusing_app.test_client()
    differ = 0
    for code in MESSAGES:
        english = client.get(f"/api/_refuse/{code}", headers=ENGLISH).get_json()["error"]
        default = client.get(f"/api/_refuse/{code}").get_json()["error"]
        assert english["code"] == default["code"] == code.split("/", 1)[0]
        assert english["message"] == MESSAGES[code].format(**sample_params(code)), code
        assert default["message"] == render(code, "id"), code
        differ += english["message"] != default["message"]
    assert differ > len(MESSAGES) * 0.9


def test_the_api_speaks_english_on_a_real_refusal(client, users):
    """Does a wrong password answer in English for `en`, Indonesian for `id` and by
    default?"""
    body = {"username": "camat", "password": "salah"}
    answers = {
        language: client.post("/api/v1/auth/token", json=body, headers=headers).get_json()
        for language, headers in {
            "en": ENGLISH,
            "id": {"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"},
            "none": {},
        }.items()
    }
    assert answers["en"]["error"]["message"] == "Wrong username or password."
    assert answers["id"]["error"]["message"] == "Nama pengguna atau kata sandi salah."
    assert answers["none"]["error"]["message"] == "Nama pengguna atau kata sandi salah."


# --- every form's errors ----------------------------------------------------------------


def all_form_classes() -> list[type[FlaskForm]]:
    """Every form of the pages (the app's FlaskForm subclasses)."""
    found, todo = [], [FlaskForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            if subclass.__module__.startswith("app."):
                found.append(subclass)
    return found


def _data_for(form_class, value: str) -> MultiDict:
    """Form data giving every field `value` (a file called `value`.exe for file fields),
    each field a little different so that "must equal" validators fail too."""
    data = MultiDict()
    for index, (name, field) in enumerate(form_class()._fields.items()):
        if isinstance(field, FileField):
            data.add(name, FileStorage(io.BytesIO(b"MZ"), filename=f"{value[:8]}{index}.exe"))
        else:
            data.add(name, f"{value}{index}" if value else "")
    return data


FILLINGS = ["", "x" * 5000, "!?", "2026-99-99", "-1"]


def test_every_form_error_is_indonesian(sqlite_app):
    """Does every validator of every form answer in Indonesian when the browser prefers
    English (empty, too long, malformed and wrong-type values)?"""
    messages: dict[str, set[str]] = {}
    with sqlite_app.test_request_context("/", headers=ENGLISH):
        sqlite_app.preprocess_request()
        classes = all_form_classes()
        for form_class in classes:
            for filling in FILLINGS:
                form = form_class(formdata=_data_for(form_class, filling), meta={"csrf": False})
                for field in form:
                    # The views give these their choices; any will do here.
                    if isinstance(field, SelectFieldBase) and field.choices is None:
                        field.choices = [("pilihan", "Pilihan")]
                form.validate()
                for field_errors in form.errors.values():
                    for message in field_errors:
                        messages.setdefault(message, set()).add(form_class.__name__)
    assert len(classes) >= 15
    assert "Wajib diisi." in messages
    assert any("paling banyak" in message for message in messages)
    english = {m: sorted(forms) for m, forms in messages.items() if english_in(m)}
    assert english == {}
    unfilled = {m: sorted(forms) for m, forms in messages.items() if FIELD.search(m)}
    assert unfilled == {}


# --- the pages' own refusals ------------------------------------------------------------


def test_the_empty_login_is_indonesian(client, users):
    """Does the empty login form say "Wajib diisi." to a browser that prefers English?"""
    token = csrf_from(client.get("/login", headers=ENGLISH).text)
    response = client.post(
        "/login", data={"csrf_token": token, "username": "", "password": ""}, headers=ENGLISH
    )
    text = visible_main(response.text)
    assert text.count("Wajib diisi.") == 2
    assert english_in(text) == set()


@pytest.mark.parametrize(
    ("method", "path", "status", "message"),
    [
        ("get", "/tidak-ada", 404, "Halaman tidak ditemukan."),
        ("post", "/kinerja", 405, "Metode tidak diizinkan."),
        ("post", "/login", 400, "Token keamanan formulir (CSRF) hilang atau kedaluwarsa."),
    ],
)
def test_error_pages_are_indonesian(client, method, path, status, message):
    """Are the error pages (404, 405, a form without its CSRF token) Indonesian for a
    browser that prefers English?"""
    response = getattr(client, method)(path, headers=ENGLISH)
    assert response.status_code == status
    text = visible_main(response.text)
    assert message in text
    assert english_in(text) == set()


def test_a_too_large_upload_is_indonesian(app, client):
    """Does an upload past MAX_CONTENT_LENGTH answer 413 in Indonesian?"""
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    response = client.post("/login", data=b"x" * (3 * 1024 * 1024), headers=ENGLISH)
    assert response.status_code == 413
    assert "Berkas terlalu besar (maksimal 2 MB)." in visible_main(response.text)


def test_a_server_error_page_is_indonesian(refusing_app):
    """Does a bug answer the 500 page in Indonesian, never English or a stack trace?"""

    def broken():
        raise RuntimeError("a bug")

    refusing_app.add_url_rule("/_broken", "broken", broken)
    response = refusing_app.test_client().get("/_broken", headers=ENGLISH)
    assert response.status_code == 500
    text = visible_main(response.text)
    assert "Terjadi kesalahan pada server; sudah dicatat." in text
    assert english_in(text) == set()


@pytest.mark.parametrize(
    ("path", "headers", "locale", "required"),
    [
        ("/", ENGLISH, "id", "Wajib diisi."),
        ("/api/v1/me", ENGLISH, "en", "This field is required."),
        ("/api/v1/me", {}, "id", "Wajib diisi."),
    ],
)
def test_flask_babel_follows_the_edge(sqlite_app, path, headers, locale, required):
    """Does Flask-Babel take its locale from the edge's request_language and read the same
    catalogue (for gettext in views and templates)?"""
    import flask_babel

    with sqlite_app.test_request_context(path, headers=headers):
        assert str(flask_babel.get_locale()) == locale
        assert flask_babel.gettext("This field is required.") == required


def test_a_bad_request_page_gives_its_reason_in_indonesian(refusing_app):
    """Does a request the edge cannot understand (400) say so in Indonesian on a page, and
    in English to an API client that asks for it?"""
    from werkzeug.exceptions import BadRequest

    def unreadable():
        raise BadRequest()

    refusing_app.add_url_rule("/_unreadable", "unreadable", unreadable)
    refusing_app.add_url_rule("/api/_unreadable", "api_unreadable", unreadable)
    client = refusing_app.test_client()
    page = client.get("/_unreadable", headers=ENGLISH)
    assert page.status_code == 400
    text = visible_main(page.text)
    assert "Permintaan tidak dapat dibaca: permintaan tidak dapat dipahami" in text
    assert english_in(text) == set()
    answer = client.get("/api/_unreadable", headers=ENGLISH).get_json()["error"]
    assert answer["message"] == "Malformed request: the request could not be understood"
