"""The verification address printed on signed reports: the office profile's `base_url`,
`bin/run`'s own host and port for the development server, and a warning for a real
deployment that has set neither (app/services/office.py, bin/run, app/gunicorn_conf.py)."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.config import TestConfig
from app.gunicorn_conf import base_url_warning
from app.services import office
from app.services.office import FALLBACK_BASE_URL, update_office_profile

ROOT = Path(__file__).resolve().parent.parent


# --- the address ------------------------------------------------------------------------------


def test_unset_the_address_is_the_fallback_and_says_so(app_ctx):
    """With no BASE_URL and no saved profile, the link is the development fallback, flagged."""
    assert office.base_url() == FALLBACK_BASE_URL
    assert office.base_url_unset()


def test_base_url_configured_wins_until_an_admin_saves_one(app, app_ctx, admin_user):
    """BASE_URL (what bin/run sets) names the address of a profile no admin saved; an admin's
    address wins over it."""
    app.config["BASE_URL"] = "http://10.0.0.5:8123"
    assert office.base_url() == "http://10.0.0.5:8123"
    assert not office.base_url_unset()
    update_office_profile({"base_url": "https://sakip.kecamatan.example"}, actor=admin_user)
    assert office.base_url() == "https://sakip.kecamatan.example"


def test_an_admin_address_is_not_unset(app_ctx, admin_user):
    """An address an admin saved on the profile is set, without BASE_URL."""
    update_office_profile({"base_url": "https://sakip.kecamatan.example"}, actor=admin_user)
    assert not office.base_url_unset()


@pytest.fixture
def admin_user(app_ctx, users):
    from app.extensions import db
    from app.models import User

    return db.session.get(User, users["admin"])


# --- bin/run ----------------------------------------------------------------------------------


@pytest.fixture
def fake_checkout(tmp_path) -> Path:
    """bin/run in a copy of the project whose .venv python only records how it was called."""
    (tmp_path / "bin").mkdir()
    for name in ("run", "_venv.sh"):
        shutil.copy2(ROOT / "bin" / name, tmp_path / "bin" / name)
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(
        "#!/usr/bin/env bash\n"
        'if [ "${1:-}" = "-c" ]; then echo "3.11.0 fake"; exit 0; fi\n'
        'echo "BASE_URL=${BASE_URL:-} ARGS=$*" >>"$(dirname "$0")/../../calls.log"\n'
    )
    python.chmod(0o755)
    return tmp_path


def run_script(checkout: Path, **env) -> list[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("BASE_URL", "HOST", "PORT")}
    environment.update(env)
    result = subprocess.run(
        ["bash", str(checkout / "bin" / "run")],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    calls = (checkout / "calls.log").read_text().splitlines()
    return [call for call in calls if "ARGS=-m flask" in call]


def test_bin_run_links_to_its_own_host_and_port(fake_checkout):
    """bin/run with HOST and PORT serves there and sets BASE_URL to that address for every
    command (init-db seeds the profile with it, the server prints it)."""
    calls = run_script(fake_checkout, HOST="127.0.0.2", PORT="8765")
    assert [call.split(" wsgi ")[1].split()[0] for call in calls] == ["init-db", "demo", "run"]
    served = [call for call in calls if " run --host" in call]
    assert served and "--host 127.0.0.2 --port 8765" in served[0]
    assert all(call.startswith("BASE_URL=http://127.0.0.2:8765 ") for call in calls), calls


def test_bin_run_keeps_a_given_base_url(fake_checkout):
    """A BASE_URL given to bin/run is kept whatever the port."""
    calls = run_script(fake_checkout, PORT="8765", BASE_URL="https://sakip.example.id")
    assert all(call.startswith("BASE_URL=https://sakip.example.id ") for call in calls), calls


# --- a real deployment: gunicorn warns once ------------------------------------------------------


def test_the_warning_names_the_printed_address(app):
    """base_url_warning names the fallback address while nothing is set, and is None once
    BASE_URL is configured."""
    warning = base_url_warning(app)
    assert warning and FALLBACK_BASE_URL in warning
    app.config["BASE_URL"] = "https://sakip.example.id"
    assert base_url_warning(app) is None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(tmp_path: Path, **extra) -> str:
    """Prepare a database, run gunicorn as bin/serve does with two workers until both boot,
    stop it; answer its log."""
    env = {k: v for k, v in os.environ.items() if k != "BASE_URL"}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'sakip.db'}",
        STORAGE_DIR=str(tmp_path / "blobs"),
        AUDIT_KEY=TestConfig.AUDIT_KEY,
        SIGNING_SELF_SIGNED_FILE=TestConfig.SIGNING_SELF_SIGNED_FILE,
        PYTHONPATH=str(ROOT),
        **extra,
    )
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "init-db"]
    subprocess.run(flask, cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    log = tmp_path / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{_free_port()}",
        "--no-control-socket",
        "--config",
        "python:app.gunicorn_conf",
        "wsgi:app",
    ]
    with log.open("w") as handle:
        master = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=handle)
    try:
        deadline = time.monotonic() + 60
        while log.read_text().count("Booting worker") < 2 and time.monotonic() < deadline:
            assert master.poll() is None, log.read_text()
            time.sleep(0.2)
    finally:
        master.terminate()
        master.wait(timeout=30)
    return log.read_text()


@pytest.mark.slow
def test_gunicorn_warns_once_when_the_address_is_not_set(tmp_path):
    """A deployment without BASE_URL logs the warning once (not once per worker)."""
    log = _serve(tmp_path)
    assert log.count("Booting worker") >= 2, log
    assert log.count("BASE_URL is not set") == 1, log


@pytest.mark.slow
def test_gunicorn_is_quiet_when_the_address_is_set(tmp_path):
    """With BASE_URL set, gunicorn starts without the warning."""
    log = _serve(tmp_path, BASE_URL="https://sakip.example.id")
    assert log.count("Booting worker") >= 2, log
    assert "BASE_URL is not set" not in log
