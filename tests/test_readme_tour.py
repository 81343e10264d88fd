"""The README's promises: two Quick start commands, executable scripts, a tour that runs."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def _section(heading: str) -> str:
    """Return the README's text under `## heading`, up to the next `## ` heading."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"README has no '## {heading}' section"
    return match.group(1)


def _sh_blocks(section: str) -> list[str]:
    return re.findall(r"^```(?:sh|bash)\n(.*?)^```$", section, re.M | re.S)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get_json(url: str, token: str | None = None, data: dict | None = None) -> dict:
    request = urllib.request.Request(url)
    if data is not None:
        request.data = json.dumps(data).encode()
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_quick_start_is_two_commands():
    """Does the README open with a Quick start of exactly two commands, run and test?"""
    text = README.read_text(encoding="utf-8")
    first_heading = re.search(r"^## (.+)$", text, re.M).group(1).strip()
    assert first_heading == "Quick start"
    (block,) = _sh_blocks(_section("Quick start"))
    commands = [
        line.strip()
        for line in block.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert commands == ["bin/run", "bin/test"]


def test_scripts_are_executable_bash_with_strict_mode():
    """Are bin/run, bin/serve, bin/test and .ci/run executable bash scripts that stop on errors?"""
    for name in ("bin/run", "bin/serve", "bin/test", ".ci/run"):
        path = ROOT / name
        assert path.is_file(), name
        assert os.access(path, os.X_OK), f"{name} is not executable"
        text = path.read_text(encoding="utf-8")
        assert text.startswith("#!/usr/bin/env bash"), name
        assert "set -euo pipefail" in text, name


def test_sample_document_is_a_pdf():
    """Is the tour's sample document a small PDF?"""
    content = (ROOT / "docs" / "contoh-dokumen.pdf").read_bytes()
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    assert len(content) < 10_000


@pytest.fixture
def live_demo(tmp_path):
    """A real server on a free port, over a fresh SQLite demo office, as bin/run makes it."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "STORAGE_DIR": str(tmp_path / "blobs"),
        "SECRET_KEY": "readme-tour",
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for command in ("init-db", "demo"):
        subprocess.run([*flask, command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [*flask, "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert _get_json(f"{base}/api/v1/health") == {"status": "ok"}
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(f"server did not start:\n{(tmp_path / 'server.log').read_text()}")
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("curl") is None, reason="the tour needs curl")
def test_api_tour_walks_a_measurement_to_the_signed_report(live_demo, tmp_path):
    """Does the README's API tour, run as written, finish 2026-Q4 with two returns?"""
    (block,) = _sh_blocks(_section("API tour"))
    script = tmp_path / "tour.sh"
    script.write_text(block, encoding="utf-8")
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", str(script)],
        cwd=ROOT,
        env={**os.environ, "BASE": live_demo},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "completed after 2 returns" in result.stdout

    token = _get_json(
        f"{live_demo}/api/v1/auth/token",
        data={"username": "viewer", "password": "purbalingga2026"},
    )["token"]
    page = _get_json(f"{live_demo}/api/v1/instances?period=2026-Q4", token)
    (instance,) = page["items"]
    assert (instance["status"], instance["returns"]) == ("completed", 2)
    detail = _get_json(f"{live_demo}/api/v1/instances/{instance['id']}", token)
    assert [t["step_no"] for t in detail["tasks"]][-1] == 12
    assert detail["open_tasks"] == []
