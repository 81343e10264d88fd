"""Every benchmark in bench/ runs in its quick mode and ends with its figures as JSON."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
SCRIPTS = sorted(
    path for path in BENCH.glob("*.py") if 'if __name__ == "__main__":' in path.read_text()
)


def test_every_benchmark_is_found():
    """The scripts the suite runs are the benchmarks the README lists."""
    names = {path.name for path in SCRIPTS}
    assert {"moves.py", "board.py"} <= names
    readme = (BENCH / "README.md").read_text()
    assert all(f"`{name}`" in readme for name in names), names


@pytest.mark.slow  # each runs a benchmark in a process of its own
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_benchmark_quick_mode_prints_its_figures(script, tmp_path):
    """Does `bench/<script> --quick` finish and print one JSON object of figures last,
    with a baseline measured in the same run and its ratio?"""
    done = subprocess.run(
        [sys.executable, str(script), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    figures = json.loads(last)
    assert isinstance(figures, dict)
    assert figures["benchmark"] == script.stem
    assert figures["baseline"]
    ratios = {k: v for k, v in figures.items() if k.startswith("ratio")}
    assert ratios, figures
    for name, value in figures.items():
        if isinstance(value, float | int) and not isinstance(value, bool):
            assert math.isfinite(value) and value >= 0, (name, value)
    assert all(value > 0 for value in ratios.values()), ratios
