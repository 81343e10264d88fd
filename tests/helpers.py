"""Test helpers: users per role, a JSON client acting as them, and an SOP runner."""

import io
from dataclasses import dataclass, field
from pathlib import Path

from app.config import Config
from app.demo import demo_pdf
from app.extensions import db
from app.models import SYSTEM_ROLES
from app.services.accounts import create_user
from app.services.sop_definitions import SopDefinition, load_definition_file

PASSWORD = "rahasia"


def shipped_definition(code: str = Config.DEFAULT_SOP) -> SopDefinition:
    """Return the definition of SOP `code` among the shipped definition files."""
    for path in sorted(Path(Config.SOP_DIR).glob("*.yaml")):
        definition, _ = load_definition_file(path)
        if definition.code == code:
            return definition
    raise LookupError(f"no shipped SOP {code!r}")


# The default SOP's actors, then the system roles: one user of each in the fixtures.
ROLES = [actor.code for actor in shipped_definition().actors] + list(SYSTEM_ROLES)
# Roles that get a second user ("kasi2"), for steps two people of one role may do.
SECOND_USERS = ("kasi", "anggota")


def make_users(roles=None, seconds=SECOND_USERS) -> dict[str, int]:
    """Create one user per role (username = role; by default the default SOP's actors and the
    system roles) plus a second user (`kasi2`) of each of `seconds`."""
    ids = {}
    roles = ROLES if roles is None else list(roles)
    for i, username in enumerate(roles + [f"{role}2" for role in seconds]):
        role = username.removesuffix("2")
        user = create_user(
            username=username,
            full_name=f"Pengguna {username.title()}",
            nip=f"19800101200501{i:04d}",
            password=PASSWORD,
            roles=[role],
            actor="test",
        )
        ids[username] = user.id
    db.session.commit()
    return ids


@dataclass
class ApiClient:
    """A test client that signs in as named users and speaks JSON."""

    client: object
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, username: str) -> str:
        if username not in self.tokens:
            response = self.client.post(
                "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
            )
            assert response.status_code == 201, response.get_json()
            self.tokens[username] = response.get_json()["token"]
        return self.tokens[username]

    def headers(self, username: str | None, extra: dict | None = None) -> dict:
        headers = dict(extra or {})
        if username:
            headers["Authorization"] = f"Bearer {self.token(username)}"
        return headers

    def get(self, path: str, as_: str | None = "viewer", **kwargs):
        return self.client.get(
            path, headers=self.headers(as_, kwargs.pop("headers", None)), **kwargs
        )

    def post(self, path: str, json=None, as_: str | None = None, **kwargs):
        return self.client.post(
            path, json=json, headers=self.headers(as_, kwargs.pop("headers", None)), **kwargs
        )

    def upload(
        self,
        task_id: int,
        kind: str,
        as_: str,
        content: bytes | None = None,
        filename: str = "dokumen.pdf",
    ):
        content = demo_pdf(kind, ["uji"]) if content is None else content
        return self.client.post(
            f"/api/v1/tasks/{task_id}/documents",
            data={"kind": kind, "file": (io.BytesIO(content), filename)},
            headers=self.headers(as_),
            content_type="multipart/form-data",
        )


# Who acts at each step, by the first actor role of the step (users are named by role).
@dataclass
class SopRunner:
    """Walk measurements of SOP `sop` (None: the default one) through the API the way the
    office would."""

    api: ApiClient
    sop: str | None = None
    steps: dict[int, dict] = field(default_factory=dict)

    def definition(self) -> dict[int, dict]:
        if not self.steps:
            code = self.sop or Config.DEFAULT_SOP
            body = self.api.get(f"/api/v1/sops/{code}").get_json()
            self.steps = {step["no"]: step for step in body["steps"]}
        return self.steps

    def start(self, period: str = "2026-Q1", as_: str | None = None, **extra) -> dict:
        """Start a measurement as `as_` (by default the first step's actor)."""
        if self.sop:
            extra.setdefault("sop", self.sop)
        as_ = as_ or self.actor_of(next(iter(self.definition())))
        response = self.api.post("/api/v1/instances", json={"period": period, **extra}, as_=as_)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def open_task(self, instance_id: int) -> dict:
        body = self.api.get(f"/api/v1/instances/{instance_id}").get_json()
        (task,) = body["open_tasks"]
        return task

    def actor_of(self, step_no: int) -> str:
        return self.definition()[step_no]["actors"][0]

    def signed_outputs(self, step_no: int) -> list[str]:
        """The step's outputs that only signing makes."""
        generated = self.definition()[step_no].get("generated_outputs") or {}
        return [kind for kind, name in generated.items() if name == "signed_report"]

    def attach_outputs(self, task: dict, as_: str | None = None) -> None:
        signed = self.signed_outputs(task["step_no"])
        for kind in task["required_outputs"]:
            if kind in signed:
                continue
            response = self.api.upload(task["id"], kind, as_ or self.actor_of(task["step_no"]))
            assert response.status_code == 201, response.get_json()

    def advance(self, task: dict, decision: str = "approve", note: str | None = None) -> dict:
        """Do the open task's move as its first actor (uploading outputs first, signing the
        report on the signing step); answer the move's response body."""
        actor = self.actor_of(task["step_no"])
        if self.signed_outputs(task["step_no"]):
            self.attach_outputs(task)
            body = {"password": PASSWORD}
            response = self.api.post(f"/api/v1/tasks/{task['id']}/sign", json=body, as_=actor)
        elif task["kind"] == "decision":
            if decision == "approve":
                self.attach_outputs(task)
            body = {"decision": decision, "note": note}
            response = self.api.post(f"/api/v1/tasks/{task['id']}/decision", json=body, as_=actor)
        else:
            self.attach_outputs(task)
            response = self.api.post(f"/api/v1/tasks/{task['id']}/complete", json={}, as_=actor)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def walk_to(self, instance_id: int, step_no: int) -> dict:
        """Advance the instance until step `step_no` is open; answer that task."""
        task = self.open_task(instance_id)
        while task["step_no"] != step_no:
            task = self.advance(task)["next_tasks"][0]
        return task


def pdf_text(content: bytes) -> str:
    """Extract the text of every page of a PDF, pages separated by form feeds."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\f".join(page.extract_text() or "" for page in reader.pages)
