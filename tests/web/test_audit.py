"""Tests for the Audit page (app/web/admin/audit.py): filters, table, export links, chain."""

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent


def test_only_admins_open_the_audit_page(pages):
    """Is the Audit page listed on the admin's index, and refused to anyone else?"""
    admin = pages("admin")
    assert 'href="/admin/audit"' in admin.get("/admin").text
    assert admin.get("/admin/audit").status_code == 200
    for role in ("camat", "viewer"):
        client = pages(role)
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/admin/audit/chain").status_code == 403


def test_the_page_lists_filtered_events_newest_first(pages, runner):
    """Do the filters select the table's events, newest first, and do the export links carry
    the same filters to the API?"""
    instance = runner.start("2026-Q1")
    runner.walk_to(instance["id"], 3)
    admin = pages("admin")
    page = admin.get("/admin/audit?actor=camat&since=2026-01-01").text
    assert "Jejak audit" in page and "Unduh CSV" in page
    ids = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', page)]
    assert ids == sorted(ids, reverse=True) and ids
    assert "sekcam" not in page.split("<tbody>")[1]
    for fmt in ("csv", "jsonl", "pdf", "xes"):
        assert f"/api/v1/audit?format={fmt}&amp;since=2026-01-01&amp;actor=camat" in page


def test_the_export_link_works_with_the_session(pages, runner):
    """Does the page's CSV link download the file with the admin's session cookie?"""
    runner.start("2026-Q1")
    admin = pages("admin")
    response = admin.get("/api/v1/audit?format=csv&actor=camat")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert "instance.started" in response.get_data(as_text=True)


def test_a_bad_date_is_an_inline_error(pages):
    """Is a malformed date answered with an Indonesian message beside the field?"""
    response = pages("admin").get("/admin/audit?since=31-12-2026")
    assert response.status_code == 422
    assert "Gunakan tanggal TTTT-BB-HH" in response.text
    assert "Unduh CSV" not in response.text


def test_the_chain_check_speaks_indonesian(pages, runner, app):
    """Does Periksa rantai say the chain is intact with its count, then what broke where?"""
    runner.start("2026-Q1")
    admin = pages("admin")
    intact = admin.get("/admin/audit/chain", htmx=True).text
    assert "Rantai audit utuh" in intact and "peristiwa terverifikasi" in intact
    with app.app_context():
        newest = db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))
        middle = newest - 1
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == middle))
        db.session.commit()
    broken = admin.get("/admin/audit/chain").text
    assert "Rantai audit RUSAK" in broken and f"#{newest}" in broken and "dihapus" in broken
    assert "<h1>Jejak audit</h1>" in broken
