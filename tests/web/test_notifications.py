"""Tests for the bell and the Notifikasi page (app/web/notifications.py)."""

import re

from tests.api.test_notifications import NOTE, return_at_review

BELL_COUNT = re.compile(r'class="bell-count" data-count="(\d+)"')


def bell_count(html: str) -> int:
    match = BELL_COUNT.search(html)
    return int(match.group(1)) if match else 0


def test_the_bell_counts_unread_notifications_on_every_page(app, pages, runner, api):
    """Does the bell on the board, the list of measurements and the SOP page show the
    anggota's unread count once a draft is returned to him, and nothing to a bystander?"""
    anggota = pages("anggota")
    assert bell_count(anggota.get("/").text) == 0
    return_at_review(runner, api)
    for path in ("/", "/instances", "/sops/pengukuran-kinerja", "/indicators"):
        page = anggota.get(path)
        assert page.status_code == 200
        assert bell_count(page.text) == 1, path
        assert 'aria-label="Notifikasi: 1 belum dibaca"' in page.text
    assert bell_count(pages("kasi").get("/").text) == 0
    assert bell_count(anggota.get("/notifications/bell").text) == 1


def test_the_page_lists_them_in_indonesian_and_marks_them_read(app, pages, runner, api):
    """Does the Notifikasi page list the returned step with its arahan and a link to the
    measurement, mark one read, then all, whatever language the browser asks for?"""
    result = return_at_review(runner, api)
    instance_id = result["task"]["instance_id"]
    sekcam = pages("sekcam")
    page = sekcam.get("/notifications", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "<h1>Notifikasi</h1>" in page.text
    assert "Menunggu pemeriksaan Anda" in page.text
    assert "Tandai sudah dibaca" in page.text and "Tandai semua sudah dibaca" in page.text
    anggota = pages("anggota")
    page = anggota.get("/notifications")
    assert "Dikembalikan kepada Anda" in page.text
    assert f"Arahan: {NOTE}" in page.text
    (notification_id,) = re.findall(r'id="notification-(\d+)"', page.text)
    opened = anggota.post(f"/notifications/{notification_id}/read", {"open": "1"}, htmx=False)
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/instances/{instance_id}")
    page = anggota.get("/notifications")
    assert bell_count(page.text) == 0
    assert "notification-unread" not in page.text
    assert "Tidak ada notifikasi yang belum dibaca." in anggota.get("/notifications?unread=1").text
    done = sekcam.post("/notifications/read-all", htmx=False)
    assert done.status_code == 302
    assert bell_count(sekcam.get("/").text) == 0


def test_another_users_notification_cannot_be_marked(app, pages, runner, api):
    """Is marking someone else's notification a 404 page that changes nothing?"""
    return_at_review(runner, api)
    anggota = pages("anggota")
    (notification_id,) = re.findall(r'id="notification-(\d+)"', anggota.get("/notifications").text)
    refused = pages("sekcam").post(f"/notifications/{notification_id}/read", htmx=False)
    assert refused.status_code == 404
    assert "tidak ditemukan" in refused.text
    assert bell_count(anggota.get("/").text) == 1
    assert pages("camat").get("/notifications?page=abc").status_code == 200


def test_signed_out_the_bell_poll_swaps_nothing_and_the_page_asks_to_sign_in(app, client):
    """Does the bell's poll answer 204 to a browser whose session ended, and the list send it
    to the login page?"""
    assert client.get("/notifications/bell").status_code == 204
    page = client.get("/notifications")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_no_bell_poll_while_a_password_change_is_due(app, pages, users):
    """While an admin-set password must be changed (every page redirects to that form), does
    the bell stay still rather than poll a redirect into the top bar?"""
    from app.extensions import db
    from app.models import User

    viewer = pages("viewer")
    assert 'hx-get="/notifications/bell"' in viewer.get("/").text
    with app.app_context():
        db.session.get(User, users["viewer"]).password_change_required = True
        db.session.commit()
    page = viewer.get("/account/password")
    assert page.status_code == 200
    assert 'id="bell"' in page.text
    assert 'hx-get="/notifications/bell"' not in page.text
