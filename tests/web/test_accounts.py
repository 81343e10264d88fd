"""Tests for signing in and out, the password pages and the admin's users pages
(app/web/auth.py, app/web/admin/users.py)."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, User
from tests.helpers import PASSWORD
from tests.web.conftest import PageClient, csrf_from

NEW = "gajah-biru-menari"


def user_row(app, username):
    with app.app_context():
        return db.session.scalar(sa.select(User).filter_by(username=username))


# --- signing out ends the session on the server -------------------------------------------


def test_a_copied_cookie_is_refused_after_logout(app, pages):
    """A copy of the session cookie taken before Keluar gets the login page afterwards."""
    client = pages("kasi")
    thief = app.test_client()
    for cookie in client.client._cookies.values():
        thief.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    assert thief.get("/").status_code == 200
    response = client.post("/logout", htmx=False)
    assert response.status_code == 302
    replay = thief.get("/")
    assert replay.status_code == 302
    assert "/login" in replay.headers["Location"]
    assert thief.get("/api/v1/me").status_code == 401


def test_logout_leaves_other_sessions(app, pages):
    """Signing out of one browser leaves the user's other browser signed in."""
    first, second = pages("kasi"), pages("kasi")
    first.post("/logout", htmx=False)
    assert second.get("/").status_code == 200


# --- the login page and lock-outs ---------------------------------------------------------


def test_the_login_page_counts_with_the_api(app, users):
    """Failures on the page and the API count together; the page then says until when the
    account is locked, inline."""
    client = PageClient(app.test_client())
    for _ in range(3):
        client.login("kasi", "salah")
    for _ in range(2):
        app.test_client().post("/api/v1/auth/token", json={"username": "kasi", "password": "x"})
    response = client.login("kasi", PASSWORD)
    assert response.status_code == 423
    assert "Akun dikunci sementara" in response.text
    assert "sampai" in response.text
    other = PageClient(app.test_client())
    assert other.login("sekcam").status_code == 302


def test_a_signed_in_session_survives_a_lock(app, pages):
    """A lock-out does not throw out a session already signed in."""
    client = pages("kasi")
    for _ in range(6):
        PageClient(app.test_client()).login("kasi", "salah")
    assert client.get("/").status_code == 200


# --- changing one's password --------------------------------------------------------------


def change(client, current=PASSWORD, new=NEW, confirm=None):
    page = client.get("/account/password")
    return client.client.post(
        "/account/password",
        data={
            "csrf_token": csrf_from(page.text),
            "current_password": current,
            "new_password": new,
            "confirm": new if confirm is None else confirm,
        },
    )


def test_the_password_page_changes_it_and_ends_other_sessions(app, pages):
    """Ganti kata sandi changes it; this session stays, the user's other session ends."""
    client, other = pages("kasi"), pages("kasi")
    response = change(client)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert PageClient(app.test_client()).login("kasi", NEW).status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("salah", NEW, None, "Kata sandi salah"),
        (PASSWORD, "pendek", None, "kurang dari 10 karakter"),
        (PASSWORD, "kasi", None, "sama dengan nama pengguna"),
        (PASSWORD, "password123", None, "Kata sandi ditolak"),
        (PASSWORD, NEW, "lain-lagi-dong", "tidak sama"),
    ],
)
def test_a_refused_change_shows_inline(app, pages, current, new, confirm, message):
    """A wrong current password, a weak new one or a mismatch: the form again, with the
    reason in Indonesian under its field; the password stays."""
    client = pages("kasi")
    response = change(client, current, new, confirm)
    assert response.status_code == 422
    assert message in response.text
    assert 'class="field-error"' in response.text
    assert PageClient(app.test_client()).login("kasi").status_code == 302


def test_an_admin_set_password_sends_him_to_change_it(app, pages, api):
    """Signed in with an admin-set password, every page leads to Ganti kata sandi until he
    changes it."""
    api.client.patch(
        "/api/v1/users/kasi",
        json={"password": "kopi-tubruk-senja-7"},
        headers=api.headers("admin"),
    )
    client = PageClient(app.test_client())
    form = client.get("/login")
    response = client.client.post(
        "/login",
        data={
            "username": "kasi",
            "password": "kopi-tubruk-senja-7",
            "csrf_token": csrf_from(form.text),
        },
    )
    assert response.headers["Location"].endswith("/account/password")
    for path in ("/", "/indicators", "/admin"):
        assert client.get(path).headers["Location"].endswith("/account/password")
    page = client.get("/account/password")
    assert "diberikan oleh admin" in page.text
    assert change(client, "kopi-tubruk-senja-7", NEW).status_code == 302
    assert client.get("/").status_code == 200


# --- the admin's users pages --------------------------------------------------------------


@pytest.mark.parametrize("role", ["camat", "kasi", "viewer"])
def test_only_admins_open_the_users_pages(pages, role):
    """Anyone but an admin gets 403 on the users pages."""
    client = pages(role)
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/users/new").status_code == 403
    assert client.get("/admin/users/kasi").status_code == 403


def test_the_users_page_lists_users_and_is_linked_from_admin(pages):
    """The admin index links Pengguna; the list shows each user with his roles and state."""
    admin = pages("admin")
    assert "/admin/users" in admin.get("/admin").text
    page = admin.get("/admin/users").text
    assert "Pengguna Kasi" in page and "aktif" in page
    assert "Tambah pengguna" in page


def new_user(admin, **changes):
    page = admin.get("/admin/users/new")
    data = {
        "csrf_token": csrf_from(page.text),
        "username": "budi",
        "full_name": "Budi Santoso",
        "nip": "199001012015011001",
        "email": "",
        "org_unit": "",
        "roles": ["anggota"],
        "password": "kopi-tubruk-senja-7",
        **changes,
    }
    return admin.client.post("/admin/users/new", data=data)


def test_the_admin_creates_a_user_on_the_page(app, pages):
    """The form creates the user, who must change his password; audited."""
    response = new_user(pages("admin"))
    assert response.status_code == 302, response.text
    user = user_row(app, "budi")
    assert user.password_change_required and user.roles == {"anggota"}


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"password": "budi123"}, 422, "kurang dari 10 karakter"),
        ({"password": "password123"}, 422, "Kata sandi ditolak"),
        ({"nip": "123"}, 422, "NIP harus 18 angka"),
        ({"email": "bukan-email"}, 422, "e-mail tidak valid"),
        ({"username": "kasi"}, 409, "Sudah ada pengguna"),
        ({"roles": []}, 422, "Pilih paling sedikit satu peran"),
        ({"username": "Budi Besar"}, 422, "Huruf kecil"),
    ],
)
def test_a_refused_user_shows_inline(app, pages, changes, status, message):
    """A weak password, bad NIP or e-mail, a taken username, no role: the form again with
    the reason; nobody created."""
    response = new_user(pages("admin"), **changes)
    assert response.status_code == status
    assert message in response.text
    assert user_row(app, "budi") is None


def post_on_user_page(admin, path, data=None):
    page = admin.get("/admin/users/kasi")
    return admin.client.post(path, data={"csrf_token": csrf_from(page.text), **(data or {})})


def test_the_admin_edits_a_user(app, pages):
    """The edit form changes the name and roles; the audit keeps old and new."""
    admin = pages("admin")
    response = post_on_user_page(
        admin,
        "/admin/users/kasi",
        {
            "full_name": "Kasi Baru",
            "nip": "",
            "email": "",
            "org_unit": "",
            "roles": ["kasi", "viewer"],
        },
    )
    assert response.status_code == 302
    user = user_row(app, "kasi")
    assert (user.full_name, user.roles) == ("Kasi Baru", {"kasi", "viewer"})
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).filter_by(action="user.updated"))
    assert event.data["changes"]["full_name"] == {"old": "Pengguna Kasi", "new": "Kasi Baru"}


def test_deactivating_on_the_page_ends_his_session(app, pages):
    """Nonaktifkan ends the user's signed-in session; Aktifkan kembali lets him sign in."""
    kasi, admin = pages("kasi"), pages("admin")
    assert post_on_user_page(admin, "/admin/users/kasi/active/off").status_code == 302
    assert kasi.get("/").status_code == 302
    assert PageClient(app.test_client()).login("kasi").status_code == 401
    post_on_user_page(admin, "/admin/users/kasi/active/on")
    assert PageClient(app.test_client()).login("kasi").status_code == 302


def test_resetting_a_password_on_the_page(app, pages):
    """Atur ulang kata sandi: a weak one is refused inline; a good one must be changed."""
    admin = pages("admin")
    weak = post_on_user_page(admin, "/admin/users/kasi/password", {"password": "kasi"})
    assert weak.status_code == 422 and "Kata sandi ditolak" in weak.text
    good = post_on_user_page(
        admin, "/admin/users/kasi/password", {"password": "kopi-tubruk-senja-7"}
    )
    assert good.status_code == 302
    assert user_row(app, "kasi").password_change_required


def test_unlocking_on_the_page(app, pages):
    """A locked account shows its lock and a Buka kunci button that unlocks it."""
    for _ in range(5):
        PageClient(app.test_client()).login("kasi", "salah")
    admin = pages("admin")
    assert "terkunci s.d." in admin.get("/admin/users").text
    assert "Buka kunci akun" in admin.get("/admin/users/kasi").text
    assert post_on_user_page(admin, "/admin/users/kasi/unlock").status_code == 302
    assert PageClient(app.test_client()).login("kasi").status_code == 302
