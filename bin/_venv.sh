# Sourced by bin/run and bin/test: make .venv and install the project into it.
#
# The install runs again only when pyproject.toml (or the Python) changed since the
# last one; a stamp file in .venv remembers what was installed.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
STAMP="$VENV/.sakip-installed"

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "error: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2
    return 1
}

ensure_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        local python
        python=$(find_python)
        echo "==> creating $VENV with $python"
        "$python" -m venv "$VENV"
        rm -f "$STAMP"
    fi
    local wanted
    wanted="$("$VENV/bin/python" -c 'import sys; print(sys.version)' | head -n1) $(
        sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$wanted" ]; then
        echo "==> installing the project and its test tools into .venv (pyproject.toml changed)"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[test]"
        echo "$wanted" >"$STAMP"
    fi
}
