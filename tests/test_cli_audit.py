"""Tests for `flask audit export` (app/cli.py): the trail streamed to a file, itself audited."""

import csv
import json

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from app.services import audit


def _record(count: int) -> None:
    for n in range(count):
        audit.record("test.cli", actor="penguji", summary=f"uji {n}", data={"n": n})
    db.session.commit()


def test_export_writes_csv_and_audits_itself(app, tmp_path):
    """Does `flask audit export --format csv` write every event and record the export?"""
    with app.app_context():
        _record(5)
    output = tmp_path / "audit.csv"
    result = app.test_cli_runner().invoke(
        args=["audit", "export", "--format", "csv", "--since", "2026-01-01", "--output", output]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(output.open(encoding="utf-8", newline="")))
    assert [json.loads(r["data"])["n"] for r in rows] == list(range(5))
    with app.app_context():
        exported = db.session.scalars(
            sa.select(AuditEvent).filter_by(action="audit.exported")
        ).one()
        assert (exported.actor, exported.data["count"]) == ("cli", 5)
        assert exported.data["filters"] == {"since": "2026-01-01"}
        assert audit.verify_chain().ok


def test_export_jsonl_until_and_a_bad_date(app, tmp_path):
    """Does --until bound a JSON Lines export, and is a malformed date refused?"""
    with app.app_context():
        _record(3)
    output = tmp_path / "audit.jsonl"
    cli = app.test_cli_runner()
    result = cli.invoke(
        args=["audit", "export", "--format", "jsonl", "--until", "2001-01-01", "--output", output]
    )
    assert result.exit_code == 0, result.output
    assert output.read_text() == ""
    result = cli.invoke(args=["audit", "export", "--format", "jsonl", "--output", output])
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    assert [line["summary"] for line in lines[:3]] == ["uji 0", "uji 1", "uji 2"]
    assert [line["action"] for line in lines[3:]] == ["audit.exported"]  # the first export
    bad = cli.invoke(args=["audit", "export", "--since", "kemarin", "--output", output])
    assert bad.exit_code == 2 and "TTTT-BB-HH" in bad.output
