"""Signing from the card takes the write lock only to store, as over the API
(app/web/board.py `sign_on_task`, app/database.py)."""

from app.extensions import db
from app.services import accounts, pades
from tests.api.test_signing_concurrency import watch_the_signing, wrap
from tests.helpers import PASSWORD
from tests.web import test_verify
from tests.write_locks import LOCK, WriteLocks

signing_task = test_verify.signing_task


def test_the_card_renders_the_report_before_the_write_lock(app, pages, signing_task, monkeypatch):
    """Signing on the card checks the password, signs the PDF and stores it before its
    transaction takes the write lock: meanwhile another connection takes that lock at once."""
    camat = pages("camat")
    locks, free = watch_the_signing(app, monkeypatch, signing_task["id"])
    with locks:
        response = camat.post(
            f"/tasks/{signing_task['id']}/sign",
            {"password": PASSWORD, "version": str(signing_task["version"])},
        )
    assert response.status_code == 204
    assert free == [True, True]
    assert locks.log[:3] == ["password", "render", "stored"]
    assert set(locks.log[3:]) == {LOCK}


def test_a_wrong_password_on_the_card_is_counted_without_a_render(
    app, pages, signing_task, monkeypatch
):
    """A wrong password on the card is refused inline and audited, before any write lock,
    with nothing rendered."""
    camat = pages("camat")
    with app.app_context():
        locks = WriteLocks(db.engine)
    wrap(monkeypatch, accounts, "password_matches", lambda: locks.mark("password"))
    wrap(monkeypatch, pades, "sign_pdf", lambda: locks.mark("render"))
    with locks:
        response = camat.post(f"/tasks/{signing_task['id']}/sign", {"password": "salah"})
    assert "Kata sandi salah" in response.text
    assert locks.log[0] == "password"
    assert "render" not in locks.log
