"""Tests for the `flask` commands: init-db, create-admin and demo (app/cli.py, app/demo.py)."""

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import TestConfig
from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models import (
    AuditEvent,
    HolidayRow,
    Instance,
    InstanceStatus,
    OrgUnit,
    SopVersion,
    Task,
    TaskStatus,
    User,
)
from tests.conftest import SharedApp


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def token_for(app, username: str, password: str):
    """Ask the API for a token; answer the response."""
    return app.test_client().post(
        "/api/v1/auth/token", json={"username": username, "password": password}
    )


@pytest.fixture
def empty_app(tmp_path):
    """An app on an empty SQLite file: no schema, no data."""
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.db'}",
        STORAGE_DIR=str(tmp_path / "blobs"),
    )
    app = create_app(config)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- init-db -----------------------------------------------------------------------------


def test_init_db_builds_an_empty_database(empty_app):
    """init-db on an empty database creates the schema and loads the SOP and the calendar."""
    result = empty_app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Database ready." in result.output
    with empty_app.app_context():
        assert list(db.session.scalars(sa.select(SopVersion.code))) == ["pengukuran-kinerja"]
        assert count(HolidayRow) > 0


def test_init_db_twice_is_idempotent(empty_app):
    """A second init-db changes nothing: same versions, holidays and audit events."""
    cli = empty_app.test_cli_runner()
    assert cli.invoke(args=["init-db"]).exit_code == 0
    with empty_app.app_context():
        before = (count(SopVersion), count(HolidayRow), count(AuditEvent))
        db.session.remove()
    result = cli.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with empty_app.app_context():
        assert (count(SopVersion), count(HolidayRow), count(AuditEvent)) == before


def test_init_db_on_a_loaded_database_keeps_its_data(sqlite_app):
    """init-db on a database in use keeps its users and SOP version."""
    cli = sqlite_app.test_cli_runner()
    assert (
        cli.invoke(
            args=[
                "create-admin",
                "--username",
                "root",
                "--full-name",
                "Root",
                "--password",
                "sandi-admin",
            ]
        ).exit_code
        == 0
    )
    result = cli.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with sqlite_app.app_context():
        assert count(User) == 1
        assert list(db.session.scalars(sa.select(SopVersion.version))) == [1]


# --- create-admin ------------------------------------------------------------------------


def test_create_admin_can_get_a_token(sqlite_app):
    """create-admin makes an admin who can sign in to the API."""
    result = sqlite_app.test_cli_runner().invoke(
        args=[
            "create-admin",
            "--username",
            "root",
            "--full-name",
            "Admin Kecamatan",
            "--nip",
            "198001012005011001",
        ],
        input="sandi-admin\nsandi-admin\n",
    )
    assert result.exit_code == 0, result.output
    assert "Admin root created." in result.output
    response = token_for(sqlite_app, "root", "sandi-admin")
    assert response.status_code == 201
    me = sqlite_app.test_client().get(
        "/api/v1/me", headers={"Authorization": f"Bearer {response.get_json()['token']}"}
    )
    assert me.get_json()["roles"] == ["admin"]
    assert me.get_json()["nip"] == "198001012005011001"
    with sqlite_app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).filter_by(action="user.created"))
        assert (event.actor, event.data["username"]) == ("cli", "root")


def test_create_admin_password_must_be_confirmed(sqlite_app):
    """create-admin asks for the password twice and refuses a mismatch."""
    result = sqlite_app.test_cli_runner().invoke(
        args=["create-admin", "--username", "root", "--full-name", "Admin"],
        input="gajah-biru-menari\ndua\ngajah-biru-menari\ngajah-biru-menari\n",
    )
    assert result.exit_code == 0, result.output
    assert token_for(sqlite_app, "root", "gajah-biru-menari").status_code == 201


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("pendek1", "kurang dari 10 karakter"),
        ("administrator", "mudah ditebak"),
        ("password123", "umum"),
        ("rootkantor", "sama dengan nama pengguna"),
        ("198001012005011001", "sama dengan NIP"),
    ],
)
def test_create_admin_refuses_a_weak_password(sqlite_app, password, reason):
    """create-admin holds the password to the policy and says why it is refused, creating
    nobody."""
    result = sqlite_app.test_cli_runner().invoke(
        args=[
            "create-admin",
            "--username",
            "rootkantor",
            "--full-name",
            "Admin",
            "--nip",
            "198001012005011001",
            "--password",
            password,
        ]
    )
    assert result.exit_code != 0
    assert "Kata sandi ditolak" in result.output
    assert reason in result.output
    assert "Traceback" not in result.output
    with sqlite_app.app_context():
        assert count(User) == 0


def test_create_admin_twice_is_refused(sqlite_app):
    """A second admin with the same username is refused with a message and no traceback."""
    args = ["create-admin", "--username", "root", "--full-name", "Admin"]
    args += ["--password", "gajah-biru-menari"]
    cli = sqlite_app.test_cli_runner()
    assert cli.invoke(args=args).exit_code == 0
    result = cli.invoke(args=args)
    assert result.exit_code != 0
    assert "'root'" in result.output
    assert "already exists" in result.output
    assert "Traceback" not in result.output
    with sqlite_app.app_context():
        assert count(User) == 1


# --- demo --------------------------------------------------------------------------------


@pytest.fixture
def demo_app(sqlite_app):
    """The SQLite app with the demo office loaded through `flask demo`."""
    output = SharedApp.of(sqlite_app).snapshot("demo", lambda: load_demo(sqlite_app))
    assert "Demo loaded:" in output
    assert DEMO_PASSWORD in output
    return sqlite_app


def load_demo(app) -> str:
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_users_sign_in_for_every_role(demo_app):
    """The demo has a user for every role, each signing in with the demo password."""
    with demo_app.app_context():
        users = db.session.scalars(sa.select(User)).all()
        roles = set().union(*(user.roles for user in users))
        names = [user.username for user in users]
    assert roles == {"camat", "sekcam", "kasi", "anggota", "admin", "viewer"}
    assert DEMO_PASSWORD == "purbalingga2026"
    for username in names:
        assert token_for(demo_app, username, DEMO_PASSWORD).status_code == 201, username


def test_demo_accounts_are_marked_as_demo(demo_app):
    """Every demo account is marked is_demo (exempt from the password policy), and /me says
    so; none must change its password."""
    token = token_for(demo_app, "camat", DEMO_PASSWORD).get_json()["token"]
    me = demo_app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert (me.get_json()["is_demo"], me.get_json()["password_change_required"]) == (True, False)
    with demo_app.app_context():
        assert all(user.is_demo for user in db.session.scalars(sa.select(User)))


def test_demo_has_sections(demo_app):
    """The demo loads the office's units, five of them sections (seksi), each Kepala Seksi
    heading his own."""
    with demo_app.app_context():
        sections = db.session.scalars(sa.select(OrgUnit).filter_by(is_section=True)).all()
        assert count(OrgUnit) == 7
        heads = {s.code: s.head.username for s in sections if s.head}
    assert {s.code for s in sections} == {"pemerintahan", "trantib", "pmd", "kesos", "pelayanan"}
    assert heads == {"pemerintahan": "kasi", "pmd": "kasi.pmd"}


def test_demo_q2_is_completed_with_one_return(demo_app):
    """The demo's 2026-Q2 measurement is completed, with one return at step 10."""
    with demo_app.app_context():
        q2 = db.session.scalar(sa.select(Instance).filter_by(period="2026-Q2"))
        assert q2.status == InstanceStatus.COMPLETED
        assert q2.completed_at is not None
        assert q2.returns == 1
        steps = [(t.step_no, t.iteration, t.outcome.value) for t in q2.tasks]
    assert steps[-1] == (12, 1, "completed")
    assert (10, 1, "returned") in steps
    assert (9, 2, "completed") in steps
    assert all(outcome for _, _, outcome in steps)


def test_demo_q3_is_active_at_step_7(demo_app):
    """The demo's 2026-Q3 measurement is active, with step 7 open."""
    with demo_app.app_context():
        q3 = db.session.scalar(sa.select(Instance).filter_by(period="2026-Q3"))
        assert q3.status == InstanceStatus.ACTIVE
        open_steps = db.session.scalars(
            sa.select(Task.step_no).filter_by(instance_id=q3.id, status=TaskStatus.OPEN)
        ).all()
    assert open_steps == [7]


def test_demo_audit_chain_verifies(demo_app):
    """The demo's back-dated moves leave an audit chain that verifies."""
    from app.services.audit import verify_chain

    with demo_app.app_context():
        check = verify_chain()
        assert (check.ok, check.events) == (True, count(AuditEvent))
        backdated = count(sa.select(AuditEvent).filter_by(backdated=True).subquery())
    assert backdated > 0


def test_second_demo_says_already_loaded(demo_app):
    """A second `flask demo` loads nothing and says the demo is already there."""
    with demo_app.app_context():
        before = (count(User), count(Instance), count(AuditEvent))
        db.session.remove()
    result = demo_app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo already loaded." in result.output
    with demo_app.app_context():
        assert (count(User), count(Instance), count(AuditEvent)) == before


# --- the audit key and `flask audit verify` ------------------------------------------------


@pytest.fixture
def keyless_app(tmp_path):
    """An app on an empty SQLite file with no audit key configured, only a key file path."""
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'keyless.db'}",
        STORAGE_DIR=str(tmp_path / "blobs"),
        AUDIT_KEY=None,
        AUDIT_KEY_FILE=str(tmp_path / "secret" / "audit.key"),
    )
    app = create_app(config)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_init_db_creates_the_audit_key_once(keyless_app, tmp_path):
    """init-db makes a random audit key file, readable by its owner only, and keeps it."""
    key_file = tmp_path / "secret" / "audit.key"
    result = keyless_app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert f"Audit key created at {key_file}" in result.output
    key = key_file.read_text()
    assert len(key.strip()) == 64
    assert key_file.stat().st_mode & 0o777 == 0o600
    again = keyless_app.test_cli_runner().invoke(args=["init-db"])
    assert again.exit_code == 0 and "Audit key created" not in again.output
    assert key_file.read_text() == key


def test_the_key_never_lands_in_the_database(keyless_app, tmp_path):
    """No table holds the audit key: a database dump reveals nothing that forges the chain."""
    keyless_app.test_cli_runner().invoke(args=["demo"])
    key = (tmp_path / "secret" / "audit.key").read_text().strip()
    dump = "\n".join(
        sa.create_engine(f"sqlite:///{tmp_path / 'keyless.db'}")
        .raw_connection()
        .driver_connection.iterdump()
    )
    assert key not in dump


def test_audit_verify_says_ok_or_what_broke(demo_app):
    """`flask audit verify` prints the check as JSON; a broken chain exits with status 1."""
    runner = demo_app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert '"ok": true' in result.output
    with demo_app.app_context():
        victim = db.session.scalar(sa.select(sa.func.min(AuditEvent.id))) + 3
        db.session.execute(
            sa.update(AuditEvent).where(AuditEvent.id == victim).values(summary="diubah")
        )
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert '"reason": "edited"' in result.output
    assert f'"first_bad_event": {victim}' in result.output
