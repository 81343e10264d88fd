"""Tests for the admin's index page (app/web/admin/)."""


def test_only_admins_open_the_admin_pages(pages):
    """Does the admin see the Admin menu and its page, and does anyone else get 403?"""
    admin = pages("admin")
    assert 'href="/admin"' in admin.get("/").text
    assert admin.get("/admin").status_code == 200
    for role in ("camat", "sekcam", "viewer"):
        client = pages(role)
        assert 'href="/admin"' not in client.get("/").text
        assert client.get("/admin").status_code == 403
