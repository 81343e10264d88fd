"""Tests for starting a measurement from its page (app/web/instances.py) and the menu."""

import re


def test_start_form_names_the_first_step_from_the_definition(pages, runner):
    """Does the start form say which step opens, by its name in the definition?"""
    first = runner.definition()[1]
    html = pages("camat").get("/instances/new").text
    assert f"Langkah 1 ({first['name']}) langsung terbuka di papan kerja." in html
    assert re.findall(r'<option[^>]*value="([^"]+)"', html) == ["pengukuran-kinerja"]


def test_only_starters_see_the_start_link_and_form(pages):
    """Do the first step's actor and the admin see the start link, and is anyone else sent
    back to the board from the form?"""
    for role in ("camat", "admin"):
        assert "Mulai pengukuran</a>" in pages(role).get("/").text, role
    for role in ("sekcam", "kasi", "anggota", "viewer"):
        client = pages(role)
        assert "Mulai pengukuran</a>" not in client.get("/").text, role
        response = client.get("/instances/new")
        assert (response.status_code, response.location) == (302, "/"), role


def test_the_menu_links_the_configured_default_sop(app, pages):
    """Does the menu's SOP link follow DEFAULT_SOP?"""
    client = pages("viewer")
    assert 'href="/sops/pengukuran-kinerja"' in client.get("/").text
    app.config["DEFAULT_SOP"] = "sop-lain"
    assert 'href="/sops/sop-lain"' in client.get("/").text
