"""Tests of Daftar pengukuran (app/web/instance_list.py): every measurement, filtered by
status and period, searched by title, a page at a time, with its links."""

import pytest

from app.web import instance_list


@pytest.fixture
def three(runner):
    """Three measurements: 2026-Q1 and 2026-Q2 running, and a 2026 one with a title."""
    return [
        runner.start("2026-Q1"),
        runner.start("2026-Q2"),
        runner.start("2026", title="Pengukuran Kinerja Tahunan Kecamatan"),
    ]


def test_every_signed_in_user_sees_the_list_in_the_menu(pages, three):
    """Does a viewer find Daftar pengukuran in the menu, listing every measurement with a
    link to its page?"""
    page = pages("viewer").get("/instances")
    assert page.status_code == 200
    assert 'href="/instances"' in page.text and "Daftar pengukuran" in page.text
    assert "3 pengukuran" in page.text
    for instance in three:
        assert f'href="/instances/{instance["id"]}"' in page.text


def test_the_list_needs_a_sign_in(client):
    """Is an anonymous visitor sent to the sign-in page?"""
    response = client.get("/instances")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_filters_and_search(pages, three):
    """Do the period filter, the status filter and the title search narrow the list?"""
    client = pages("viewer")
    by_period = client.get("/instances?period=2026-Q2")
    assert "1 pengukuran sesuai saringan" in by_period.text
    assert f'href="/instances/{three[1]["id"]}"' in by_period.text
    assert "0 pengukuran" in client.get("/instances?status=completed").text
    found = client.get("/instances?q=tahunan+kecamatan")
    assert "1 pengukuran" in found.text and "Pengukuran Kinerja Tahunan" in found.text
    assert "0 pengukuran" in client.get("/instances?q=100%25").text


def test_an_htmx_filter_answers_the_list_alone(pages, three):
    """Does a filter sent by htmx answer only the list fragment?"""
    response = pages("viewer").get("/instances?status=active", htmx=True)
    assert response.text.lstrip().startswith('<div id="instance-list"')


def test_unknown_filters_are_ignored(pages, three):
    """Are a bad status, period and page number ignored rather than refused?"""
    client = pages("viewer")
    for query in ("status=x&period=2026-Q9&page=abc", "page=%C2%B2", "page=99999999999"):
        page = client.get(f"/instances?{query}")
        assert page.status_code == 200 and "3 pengukuran" in page.text


def test_the_list_is_paginated(pages, three, monkeypatch):
    """Does a long list come a page at a time, with a link to the next page?"""
    monkeypatch.setattr(instance_list, "PER_PAGE", 2)
    client = pages("viewer")
    first = client.get("/instances")
    assert "halaman 1 dari 2" in first.text and "page=2" in first.text
    second = client.get("/instances?page=2")
    assert f'href="/instances/{three[0]["id"]}"' in second.text
    assert f'href="/instances/{three[2]["id"]}"' not in second.text


def test_the_audit_link_shows_only_when_the_audit_page_exists(pages, three, app):
    """Is the audit-trail link shown to the admin only when /admin/audit is there?"""
    has_audit = instance_list.AUDIT_ENDPOINT in app.view_functions
    page = pages("admin").get("/instances")
    assert ("Jejak audit" in page.text) is has_audit
    assert "Jejak audit" not in pages("viewer").get("/instances").text


def test_a_signed_measurement_links_its_signed_report(pages, api, runner):
    """Does a finished, signed measurement's row link its signed report, and a running
    one's not?"""
    api.post("/api/v1/sections", json={"code": "pem", "name": "Seksi Pemerintahan"}, as_="admin")
    indicator = {
        "code": "PEM-01",
        "name": "Desa tertib",
        "unit": "%",
        "polarity": "positive",
        "aggregation": "average",
        "section": "pem",
    }
    assert api.post("/api/v1/indicators", json=indicator, as_="admin").status_code == 201
    signed = runner.start("2026-Q1")
    last = runner.walk_to(signed["id"], max(runner.definition()))
    runner.advance(last)
    running = runner.start("2026-Q2")
    page = pages("viewer").get("/instances")
    assert f'href="/api/v1/instances/{signed["id"]}/report.pdf"' in page.text
    assert f'href="/api/v1/instances/{running["id"]}/report.pdf"' not in page.text
    assert "Selesai" in page.text
