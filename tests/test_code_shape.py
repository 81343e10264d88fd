"""The code keeps the shape a maintainer can find his way in: short modules, simple functions."""

from pathlib import Path

from radon.complexity import cc_visit

APP = Path(__file__).resolve().parent.parent / "app"
MAX_MODULE_LINES = 600
MAX_COMPLEXITY = 20


def _modules():
    return sorted(APP.rglob("*.py"))


def test_no_module_is_longer_than_about_600_lines():
    """Is every module under app/ at most MAX_MODULE_LINES lines (one concept each)?"""
    long = {
        str(path.relative_to(APP)): lines
        for path in _modules()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not long, long


def test_no_function_is_too_complex():
    """Has every function and method a cyclomatic complexity of at most MAX_COMPLEXITY?"""
    complex_ = {}
    for path in _modules():
        for block in cc_visit(path.read_text()):
            for item in [block, *getattr(block, "methods", [])]:
                if item.complexity > MAX_COMPLEXITY:
                    complex_[f"{path.relative_to(APP)}:{item.lineno} {item.name}"] = item.complexity
    assert not complex_, complex_
