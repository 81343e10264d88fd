"""A second SOP file runs on the same engine, board and API with no code change.

`tests/data/sops/verifikasi-spj.yaml` has other steps, two decisions with their own return
targets, and actors the Pengukuran Kinerja SOP does not have (`pptk`, `bendahara`).
"""

import io
import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.config import Config
from app.demo import demo_pdf
from app.errors import DomainError
from app.extensions import db
from app.models import Instance, InstanceStatus, OrgUnit, TaskOutcome, TaskStatus, User
from app.services import routing
from app.services.accounts import create_user
from app.services.documents import configured_store, upload_document
from app.services.sop_definitions import sync_definitions
from tests.helpers import PASSWORD, SopRunner
from tests.web.conftest import PageClient

SECOND = Path(__file__).parent / "data" / "sops" / "verifikasi-spj.yaml"
CODE = "verifikasi-spj"
NEW_ROLES = ("pptk", "bendahara")


def load_second_sop(app, tmp_path: Path) -> None:
    """Point SOP_DIR at a folder holding the shipped SOPs and the second one, and load it."""
    folder = tmp_path / "sops"
    folder.mkdir()
    for path in Path(Config.SOP_DIR).glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    shutil.copy(SECOND, folder / SECOND.name)
    app.config["SOP_DIR"] = str(folder)
    with app.app_context():
        sync_definitions(folder)
        db.session.commit()


def make_role_users(roles) -> None:
    """Create a user per role, named after it, with the tests' password."""
    for i, role in enumerate(roles):
        create_user(
            username=role,
            full_name=f"Pengguna {role.title()}",
            nip=f"19900101201501{i:04d}",
            password=PASSWORD,
            roles=[role],
            actor="test",
        )
    db.session.commit()


@pytest.fixture
def second_sop(app, users, tmp_path):
    """The app with the second SOP loaded and a user for each of its new roles."""
    load_second_sop(app, tmp_path)
    with app.app_context():
        make_role_users(NEW_ROLES)
    return app


def user(username: str) -> User:
    return db.session.scalar(sa.select(User).filter_by(username=username))


def test_a_role_no_loaded_sop_names_is_refused(app_ctx):
    """Is creating a user with a role no loaded definition names a clear 422 unknown_role?"""
    with pytest.raises(DomainError) as refused:
        create_user(username="bendahara", full_name="B", password=PASSWORD, roles=["bendahara"])
    error = refused.value
    assert (error.status, error.code) == (422, "unknown_role")
    assert error.details["unknown"] == ["bendahara"]
    assert {"admin", "viewer", "camat"} <= set(error.details["known"])


def test_second_sop_through_the_services(second_sop):
    """Do the services run the second SOP: its first step's actor starts it, the wrong role
    is refused, each decision returns to its own target, and the last step completes it?"""

    def attach(task, kind: str, by: str) -> None:
        upload_document(
            task,
            kind=kind,
            filename="bukti.pdf",
            stream=io.BytesIO(demo_pdf(kind, ["uji"])),
            actor=user(by),
            store=configured_store(),
            limit=second_sop.config["MAX_CONTENT_LENGTH"],
        )

    def open_task(instance):
        (task,) = [t for t in instance.tasks if t.status == TaskStatus.OPEN]
        return task

    with second_sop.app_context():
        with pytest.raises(DomainError) as refused:
            routing.start_instance(sop_code=CODE, period="2026-Q1", actor=user("camat"))
        assert refused.value.status == 403
        instance = routing.start_instance(sop_code=CODE, period="2026-Q1", actor=user("pptk"))
        step_1 = open_task(instance)
        assert step_1.step_no == 1
        with pytest.raises(DomainError) as wrong_role:
            routing.complete_task(step_1, actor=user("bendahara"))
        assert (wrong_role.value.status, wrong_role.value.code) == (403, "forbidden_role")

        attach(step_1, "SPJ Kegiatan", "pptk")
        step_2 = routing.complete_task(step_1, actor=user("pptk")).next_tasks[0]
        back = routing.decide(step_2, actor=user("bendahara"), decision="return", note="Kurang")
        assert [(t.step_no, t.iteration) for t in back.next_tasks] == [(1, 2)]
        attach(back.next_tasks[0], "SPJ Kegiatan", "pptk")
        step_2 = routing.complete_task(back.next_tasks[0], actor=user("pptk")).next_tasks[0]
        attach(step_2, "Berita Acara Verifikasi", "bendahara")
        step_3 = routing.decide(step_2, actor=user("bendahara"), decision="approve").next_tasks[0]
        back = routing.decide(step_3, actor=user("sekcam"), decision="return", note="Revisi")
        assert [(t.step_no, t.iteration) for t in back.next_tasks] == [(2, 3)]
        attach(back.next_tasks[0], "Berita Acara Verifikasi", "bendahara")
        step_3 = routing.decide(
            back.next_tasks[0], actor=user("bendahara"), decision="approve"
        ).next_tasks[0]
        step_4 = routing.decide(step_3, actor=user("sekcam"), decision="approve").next_tasks[0]
        attach(step_4, "Arsip SPJ", "bendahara")
        assert routing.complete_task(step_4, actor=user("bendahara")).next_tasks == []
        db.session.commit()

        assert instance.status == InstanceStatus.COMPLETED
        assert instance.returns == 2
        outcomes = [(t.step_no, t.outcome) for t in instance.tasks]
        assert outcomes.count((2, TaskOutcome.RETURNED)) == 1
        assert outcomes.count((3, TaskOutcome.RETURNED)) == 1
        definition = routing.definition_for(instance)
        assert [s.reviews for s in definition.steps if s.is_decision] == [1, 2]
        assert definition.actor("pptk").escalates_to == "bendahara"
        assert definition.signing_step is None


def test_second_sop_on_the_board(second_sop, api):
    """Does the board show the second SOP's lanes with its cards, and take a move from one?"""
    runner = SopRunner(api, sop=CODE)
    instance = runner.start("2026-Q1")
    task = runner.open_task(instance["id"])
    runner.attach_outputs(task)

    page = PageClient(second_sop.test_client())
    assert page.login("pptk").status_code == 302
    html = page.get("/").text
    lanes = re.findall(r'<h2 id="lane-(\w+)">', html)
    # The signed-in user's own lane first, then the others in the definitions' order.
    assert lanes == ["pptk", "anggota", "kasi", "sekcam", "camat", "bendahara"]
    assert "Pejabat Pelaksana Teknis Kegiatan" in html and "Bendahara Pengeluaran" in html
    pptk_lane = re.search(
        r'<section class="column" aria-labelledby="lane-pptk">.*?</section>', html, re.S
    )
    assert f'id="task-{task["id"]}"' in pptk_lane.group(0)

    response = page.post(f"/tasks/{task['id']}/move", {"version": task["version"]})
    assert response.status_code == 200
    following = runner.open_task(instance["id"])
    assert (following["step_no"], following["actors"]) == (2, ["bendahara"])
    bendahara_lane = re.search(
        r'<section class="column" aria-labelledby="lane-bendahara">.*?</section>',
        response.text,
        re.S,
    )
    assert f'id="task-{following["id"]}"' in bendahara_lane.group(0)


def test_second_sop_through_the_api(second_sop, api):
    """Does the API run the second SOP from start to end: start, complete, return, approve,
    with its actors' tasks listed by the new roles?"""
    detail = api.get(f"/api/v1/sops/{CODE}").get_json()
    assert [a["code"] for a in detail["actors"]] == ["pptk", "bendahara", "sekcam"]
    assert [s.get("reviews") for s in detail["steps"]] == [None, 1, 2, None]

    runner = SopRunner(api, sop=CODE)
    refused = api.post("/api/v1/instances", json={"sop": CODE, "period": "2026-Q1"}, as_="camat")
    assert refused.status_code == 403
    instance = runner.start("2026-Q1")
    assert instance["sop"] == CODE
    task = runner.open_task(instance["id"])
    listed = api.get("/api/v1/tasks?status=open&actor=pptk").get_json()["items"]
    assert [t["id"] for t in listed] == [task["id"]]

    task = runner.advance(task)["next_tasks"][0]  # 1 → 2
    task = runner.advance(task, "return", "SPJ belum lengkap")["next_tasks"][0]
    assert (task["step_no"], task["iteration"]) == (1, 2)
    task = runner.advance(task)["next_tasks"][0]  # 1 → 2
    task = runner.advance(task)["next_tasks"][0]  # 2 → 3
    task = runner.advance(task, "return", "Nominal tidak sesuai")["next_tasks"][0]
    assert (task["step_no"], task["iteration"]) == (2, 3)
    task = runner.advance(task)["next_tasks"][0]  # 2 → 3
    task = runner.advance(task)["next_tasks"][0]  # 3 → 4
    assert task["actors"] == ["bendahara"]
    assert runner.advance(task)["next_tasks"] == []

    done = api.get(f"/api/v1/instances/{instance['id']}").get_json()
    assert (done["status"], done["returns"], done["open_tasks"]) == ("completed", 2, [])
    assert api.get("/api/v1/me", as_="bendahara").get_json()["roles"] == ["bendahara"]


def test_start_form_offers_the_sops_a_role_may_start(second_sop):
    """Does the start form offer the PPTK only the SOP whose first step is his, name that
    step from the definition, and start a run of it?"""
    page = PageClient(second_sop.test_client())
    assert page.login("pptk").status_code == 302
    html = page.get("/instances/new").text
    assert re.findall(r'<option[^>]*value="([^"]+)"', html) == [CODE]
    assert "Langkah 1 (PPTK menyusun SPJ kegiatan beserta bukti pengeluaran)" in html
    assert "Mulai pengukuran</a>" in html
    response = page.post("/instances/new", {"sop": CODE, "period": "2026-Q2"}, htmx=False)
    assert response.status_code == 302
    with second_sop.app_context():
        started = db.session.execute(sa.select(Instance.sop_code, Instance.period)).all()
        assert [tuple(row) for row in started] == [(CODE, "2026-Q2")]


def test_indicator_writers_come_from_configuration(second_sop, api):
    """Does INDICATOR_WRITER_ROLES decide who writes indicators: a new SOP's role once it is
    named there, and no longer the anggota once it is not?"""
    with second_sop.app_context():
        db.session.add(OrgUnit(code="pemerintahan", name="Seksi Pemerintahan", is_section=True))
        db.session.commit()
    second_sop.config["INDICATOR_WRITER_ROLES"] = ("admin", "bendahara")
    body = {
        "code": "SPJ-01",
        "name": "SPJ tepat waktu",
        "unit": "%",
        "polarity": "positive",
        "aggregation": "average",
        "section": "pemerintahan",
    }
    assert api.post("/api/v1/indicators", json=body, as_="anggota").status_code == 403
    assert api.post("/api/v1/indicators", json=body, as_="bendahara").status_code == 201
