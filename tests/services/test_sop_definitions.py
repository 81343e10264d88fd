"""Tests for SOP definitions (app/services/sop_definitions.py) and the /sops API."""

import copy
import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.config import Config
from app.extensions import db
from app.models import SopVersion
from app.services.sop_definitions import (
    SopDefinitionError,
    load_definition_file,
    sync_definitions,
)

SHIPPED = Path(Config.SOP_DIR) / "pengukuran-kinerja.yaml"

# A small valid definition: a task, a review that returns to it, and the last step.
VALID = {
    "code": "uji-coba",
    "title": "SOP Uji Coba",
    "actors": [
        {"code": "anggota", "name": "Anggota Tim SAKIP"},
        {"code": "sekcam", "name": "Sekretaris Camat"},
    ],
    "steps": [
        {
            "no": 1,
            "name": "Menyusun draft",
            "kind": "task",
            "actors": ["anggota"],
            "outputs": ["Draft"],
            "required_outputs": ["Draft"],
            "standard": {"value": 30, "unit": "minute"},
            "next": 2,
        },
        {
            "no": 2,
            "name": "Memeriksa draft",
            "kind": "decision",
            "actors": ["sekcam"],
            "inputs": ["Draft"],
            "outputs": ["Draft"],
            "standard": {"value": 60, "unit": "minute"},
            "next": 3,
            "on_return": 1,
        },
        {
            "no": 3,
            "name": "Menandatangani",
            "kind": "task",
            "actors": ["sekcam"],
            "outputs": ["Laporan"],
            "standard": {"value": 1, "unit": "day"},
            "next": None,
        },
    ],
}


def write_definition(folder: Path, data, name: str = "uji-coba.yaml") -> Path:
    """Write `data` as a definition file (JSON is YAML) and answer its path."""
    path = folder / name
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


def broken(change) -> dict:
    """Return a copy of the valid definition with `change` applied."""
    data = copy.deepcopy(VALID)
    change(data)
    return data


def _set(path: str, value):
    """Make a change that sets the dotted `path` (list indexes as numbers) to `value`."""

    def change(data):
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return change


def _delete(path: str):
    """Make a change that removes the dotted `path`."""

    def change(data):
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[last]

    return change


# --- the shipped definition --------------------------------------------------------------


def test_shipped_definition_has_twelve_steps():
    """The shipped Pengukuran Kinerja SOP loads with steps 1 to 12 in order."""
    definition, _ = load_definition_file(SHIPPED)
    assert definition.code == "pengukuran-kinerja"
    assert [step.no for step in definition.steps] == list(range(1, 13))
    assert definition.steps[-1].next is None


def test_shipped_standards_sum_to_540_minutes_and_3_days():
    """The shipped time standards add up to 540 working minutes plus 3 working days."""
    definition, _ = load_definition_file(SHIPPED)
    minutes = sum(s.standard.value for s in definition.steps if s.standard.unit == "minute")
    days = sum(s.standard.value for s in definition.steps if s.standard.unit == "day")
    assert (minutes, days) == (540, 3)


def test_shipped_decisions_return_to_step_9():
    """Steps 10 and 11 are the only decisions and both return to step 9."""
    definition, _ = load_definition_file(SHIPPED)
    decisions = {s.no: s.on_return for s in definition.steps if s.is_decision}
    assert decisions == {10: 9, 11: 9}
    assert all(s.on_return is None for s in definition.steps if not s.is_decision)


def test_shipped_decisions_review_step_9():
    """Both decisions review step 9, the report of the recap they send back to."""
    definition, _ = load_definition_file(SHIPPED)
    assert {s.no: s.reviews for s in definition.steps if s.is_decision} == {10: 9, 11: 9}
    assert all(s.reviews is None for s in definition.steps if not s.is_decision)


def test_shipped_escalations_climb_to_the_camat_and_his_go_to_the_sekcam():
    """A late task escalates anggota and kasi to the Sekcam, the Sekcam to the Camat, and the
    Camat's own to the Sekcam."""
    definition, _ = load_definition_file(SHIPPED)
    assert {a.code: a.escalates_to for a in definition.actors} == {
        "anggota": "sekcam",
        "kasi": "sekcam",
        "sekcam": "camat",
        "camat": "sekcam",
    }


def test_shipped_signing_step_and_starters_come_from_the_data():
    """The step only signing finishes is the last, done by the Camat; the first step's actor
    (the Camat) starts a measurement."""
    import app.services.reports  # noqa: F401  (registers the signing generator)

    definition, _ = load_definition_file(SHIPPED)
    assert definition.signing_step is definition.steps[-1]
    assert definition.signing_step.actors == ("camat",)
    assert definition.starters == ("camat",)


def test_definition_without_optional_fields_keeps_its_content(tmp_path):
    """A definition with no `reviews` or `escalates_to` dumps without them (its content hash
    does not change with the new fields), and reads them as None."""
    definition, data = load_definition_file(write_definition(tmp_path, VALID))
    assert definition.step(2).reviews is None
    assert all(actor.escalates_to is None for actor in definition.actors)
    assert "reviews" not in data["steps"][1]
    assert all("escalates_to" not in actor for actor in data["actors"])


def test_valid_sample_definition_loads(tmp_path):
    """The small sample definition the broken cases start from is itself valid."""
    definition, _ = load_definition_file(write_definition(tmp_path, VALID))
    assert [s.no for s in definition.steps] == [1, 2, 3]


# --- broken definitions ------------------------------------------------------------------


BROKEN = {
    "missing field": (_delete("steps.1.name"), "steps[1].name"),
    "unknown field": (_set("steps.0.colour", "merah"), "steps[0].colour"),
    "unknown top-level field": (_set("owner", "camat"), "owner"),
    "bad unit": (_set("steps.2.standard.unit", "hour"), "steps[2].standard.unit"),
    "non-integer standard": (_set("steps.0.standard.value", "30"), "steps[0].standard.value"),
    "bad kind": (_set("steps.0.kind", "meeting"), "steps[0].kind"),
    "next to an unknown step": (_set("steps.0.next", 99), "steps[0].next"),
    "decision without on_return": (_delete("steps.1.on_return"), "steps[1].on_return"),
    "on_return to an unknown step": (_set("steps.1.on_return", 42), "steps[1].on_return"),
    "on_return on a plain task": (_set("steps.0.on_return", 1), "steps[0].on_return"),
    "required output not among outputs": (
        _set("steps.0.required_outputs", ["Notulen"]),
        "steps[0].required_outputs",
    ),
    "malformed actor role": (_set("steps.0.actors", ["Lurah Desa"]), "steps[0].actors[0]"),
    "role not among the SOP's actors": (_set("steps.0.actors", ["camat"]), "steps[0].actors"),
    "malformed actor code": (_set("actors.0.code", "Anggota Tim"), "actors[0].code"),
    "system role as an actor": (_set("actors.0.code", "admin"), "actors[0].code"),
    "actor listed twice": (_set("actors.1.code", "anggota"), "actors[1].code"),
    "renamed actor its steps still name": (_set("actors.0.code", "lurah"), "steps[0].actors"),
    "escalation to an unknown actor": (
        _set("actors.0.escalates_to", "camat"),
        "actors[0].escalates_to: 'camat' is not one of the SOP's actors",
    ),
    "escalation to itself": (_set("actors.0.escalates_to", "anggota"), "actors[0].escalates_to"),
    "decision reviewing a later step": (_set("steps.1.reviews", 3), "steps[1].reviews"),
    "decision reviewing itself": (_set("steps.1.reviews", 2), "steps[1].reviews"),
    "decision reviewing an unknown step": (_set("steps.1.reviews", 7), "steps[1].reviews"),
    "plain task that reviews": (_set("steps.2.reviews", 1), "steps[2].reviews"),
    "non-integer reviews": (_set("steps.1.reviews", "1"), "steps[1].reviews"),
    "duplicate step numbers": (_set("steps.1.no", 1), "steps[1].no"),
    "unreachable step": (_set("steps.0.next", 3), "step 2 cannot be reached"),
    "decision without next": (_set("steps.1.next", None), "steps[1].next"),
    "two ends": (
        lambda d: (
            d["steps"].append({**copy.deepcopy(d["steps"][2]), "no": 4}),
            d["steps"][1].update(on_return=4),
        ),
        "steps: exactly one step must end the SOP (next: null), found [3, 4]",
    ),
    "no steps": (_set("steps", []), "steps"),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_broken_definition_names_file_and_field(tmp_path, case):
    """A broken definition raises SopDefinitionError naming the file and the bad field."""
    change, field = BROKEN[case]
    path = write_definition(tmp_path, broken(change))
    with pytest.raises(SopDefinitionError) as caught:
        load_definition_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert field in message


def test_definition_that_is_not_a_mapping_is_refused(tmp_path):
    """A file holding a list instead of a mapping is refused, naming the file."""
    path = write_definition(tmp_path, "- no: 1\n- no: 2\n")
    with pytest.raises(SopDefinitionError, match="must hold a mapping, not list") as caught:
        load_definition_file(path)
    assert str(path) in str(caught.value)


def test_empty_definition_file_is_refused(tmp_path):
    """An empty file is refused, naming the file."""
    path = write_definition(tmp_path, "")
    with pytest.raises(SopDefinitionError, match="must hold a mapping") as caught:
        load_definition_file(path)
    assert str(path) in str(caught.value)


def test_invalid_yaml_is_refused(tmp_path):
    """A file that is not YAML is refused with the file named and the parser's position."""
    path = write_definition(tmp_path, "code: uji\nsteps: [\n  {no: 1,\n")
    with pytest.raises(SopDefinitionError, match="not valid YAML") as caught:
        load_definition_file(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert "line" in str(caught.value)


def test_missing_file_is_refused(tmp_path):
    """A definition file that does not exist is a SopDefinitionError, not an OSError."""
    path = tmp_path / "tidak-ada.yaml"
    with pytest.raises(SopDefinitionError, match="cannot be read") as caught:
        load_definition_file(path)
    assert str(path) in str(caught.value)


def test_no_keys_are_numbers_not_false(tmp_path):
    """`no:` keys and `yes`/`no` values are read as written, not as YAML 1.1 booleans."""
    text = """
code: uji-yaml
title: SOP Uji YAML
actors:
  - {code: camat, name: Camat}
steps:
  - no: 1
    name: no
    kind: task
    actors: [camat]
    outputs: [yes, off]
    standard: {value: 5, unit: minute}
    next: 2
  - no: 2
    name: Selesai
    kind: task
    actors: [camat]
    outputs: []
    standard: {value: 1, unit: day}
    next: null
"""
    definition, data = load_definition_file(write_definition(tmp_path, text))
    assert [s.no for s in definition.steps] == [1, 2]
    assert definition.steps[0].name == "no"
    assert definition.steps[0].outputs == ("yes", "off")
    assert data["steps"][0]["no"] == 1


# --- versions ----------------------------------------------------------------------------


def sop_dir_with_shipped_copy(tmp_path: Path) -> Path:
    """Make a SOP_DIR holding a copy of the shipped definition file."""
    folder = tmp_path / "sops"
    folder.mkdir()
    shutil.copy(SHIPPED, folder / SHIPPED.name)
    return folder


def versions_of(code: str) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(SopVersion.version).filter_by(code=code).order_by(SopVersion.version)
        )
    )


def test_sync_of_unchanged_files_adds_no_version(app_ctx, tmp_path):
    """Syncing an unchanged definition (even a fresh copy of it) keeps version 1."""
    assert versions_of("pengukuran-kinerja") == [1]
    sync_definitions(app_ctx.config["SOP_DIR"])
    sync_definitions(sop_dir_with_shipped_copy(tmp_path))
    db.session.commit()
    assert versions_of("pengukuran-kinerja") == [1]


def test_edited_file_becomes_version_2(app_ctx, tmp_path):
    """Changing a standard in the file registers version 2 on the next sync."""
    folder = sop_dir_with_shipped_copy(tmp_path)
    sync_definitions(folder)
    path = folder / SHIPPED.name
    text = path.read_text(encoding="utf-8")
    # Same length on purpose: an edit that keeps the file's size must still be seen.
    edited = text.replace(
        "standard: {value: 30, unit: minute}\n    next: 4",
        "standard: {value: 45, unit: minute}\n    next: 4",
    )
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    (version,) = sync_definitions(folder)
    db.session.commit()
    assert version.version == 2
    assert versions_of("pengukuran-kinerja") == [1, 2]
    sync_definitions(folder)
    assert versions_of("pengukuran-kinerja") == [1, 2]


def test_running_instance_keeps_its_version(app, api, runner, tmp_path):
    """An instance started before an edit keeps sop_version 1 and the old standards."""
    folder = sop_dir_with_shipped_copy(tmp_path)
    app.config["SOP_DIR"] = str(folder)
    old = runner.start("2026-Q1")
    assert old["sop_version"] == 1

    path = folder / SHIPPED.name
    text = path.read_text(encoding="utf-8")
    edited = text.replace(
        "standard: {value: 15, unit: minute}\n    next: 3",
        "standard: {value: 25, unit: minute}\n    next: 3",
    )
    assert edited != text
    path.write_text(edited, encoding="utf-8")

    listing = api.get("/api/v1/sops").get_json()
    assert {"code": "pengukuran-kinerja", "title": listing[0]["title"], "version": 2} in listing
    detail = api.get("/api/v1/sops/pengukuran-kinerja").get_json()
    assert detail["version"] == 2
    assert detail["steps"][1]["standard"] == {"value": 25, "unit": "minute"}

    old_step_2 = runner.advance(runner.open_task(old["id"]))["next_tasks"][0]
    assert old_step_2["step_no"] == 2
    assert old_step_2["standard"] == {"value": 15, "unit": "minute"}
    assert api.get(f"/api/v1/instances/{old['id']}").get_json()["sop_version"] == 1

    new = runner.start("2026-Q2")
    assert new["sop_version"] == 2
    new_step_2 = runner.advance(runner.open_task(new["id"]))["next_tasks"][0]
    assert new_step_2["standard"] == {"value": 25, "unit": "minute"}


# --- the /sops API -----------------------------------------------------------------------


def test_sops_list_names_the_default_sop(api):
    """GET /api/v1/sops lists the shipped SOP with its code, title and version."""
    response = api.get("/api/v1/sops")
    assert response.status_code == 200
    assert response.get_json() == [
        {
            "code": "pengukuran-kinerja",
            "title": "Mekanisme Pengukuran Kinerja Kecamatan Purbalingga",
            "version": 1,
        }
    ]


def test_sop_detail_serves_identity_actors_and_steps(api):
    """GET /api/v1/sops/{code} serves the identity data, the actors and the steps."""
    response = api.get("/api/v1/sops/pengukuran-kinerja")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["code"], body["version"]) == ("pengukuran-kinerja", 1)
    assert body["title"] == "Mekanisme Pengukuran Kinerja Kecamatan Purbalingga"
    identity = body["identity"]
    assert len(identity["legal_basis"]) == 5
    assert identity["legal_basis"][0].startswith("Undang-Undang Nomor 23 Tahun 2014")
    assert set(identity) >= {
        "legal_basis",
        "qualifications",
        "related_sops",
        "equipment",
        "warning",
        "record_keeping",
    }
    assert body["actors"] == [
        {"code": "anggota", "name": "Anggota Tim SAKIP", "escalates_to": "sekcam"},
        {"code": "kasi", "name": "Kepala Seksi", "escalates_to": "sekcam"},
        {"code": "sekcam", "name": "Sekretaris Camat", "escalates_to": "camat"},
        {"code": "camat", "name": "Camat", "escalates_to": "sekcam"},
    ]
    assert [step["no"] for step in body["steps"]] == list(range(1, 13))


def test_sop_detail_step_shape(api):
    """Each step has the API.md fields (plus the outputs the system generates, and the step a
    decision reviews); on_return and reviews only on decisions, next null on the last."""
    steps = api.get("/api/v1/sops/pengukuran-kinerja").get_json()["steps"]
    common = {
        "no",
        "name",
        "kind",
        "actors",
        "inputs",
        "outputs",
        "required_outputs",
        "generated_outputs",
        "standard",
        "next",
    }
    for step in steps:
        expected = common | {"on_return", "reviews"} if step["kind"] == "decision" else common
        assert set(step) == expected, step["no"]
    assert steps[9] == {
        "no": 10,
        "name": steps[9]["name"],
        "kind": "decision",
        "actors": ["sekcam"],
        "inputs": ["Draft Laporan Hasil Pengukuran Data Kinerja"],
        "outputs": ["Draft Laporan Hasil Pengukuran Data Kinerja"],
        "required_outputs": [],
        "generated_outputs": {},
        "standard": {"value": 60, "unit": "minute"},
        "next": 11,
        "on_return": 9,
        "reviews": 9,
    }
    assert steps[7]["generated_outputs"] == {"Rekapitulasi Hasil Pengukuran Kinerja": "recap"}
    assert steps[6]["standard"] == {"value": 2, "unit": "day"}
    assert steps[-1]["next"] is None
    assert "next" in steps[-1]


def test_unknown_sop_is_404(api):
    """GET /api/v1/sops/{code} for an unknown code is 404 unknown_sop."""
    response = api.get("/api/v1/sops/tidak-ada")
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert (error["status"], error["code"]) == (404, "unknown_sop")
    assert "tidak-ada" in error["message"]


def test_sops_need_credentials(api):
    """The SOP list is refused without credentials."""
    response = api.get("/api/v1/sops", as_=None)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
