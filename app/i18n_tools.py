"""Keep the catalogue in step with the code: `python -m app.i18n_tools update|adopt|check`.

- `update`: extract every marked message from the sources (as `pybabel extract -F
  babel.cfg` does) and merge them into each `translations/*/LC_MESSAGES/messages.po`
  (as `pybabel update`): new msgids arrive untranslated, removed ones become obsolete.
- `adopt`: move every `(Indonesian, English)` pair still written in app/errors.py's
  MESSAGES into the catalogue: the English becomes the entry's `N_()` msgid in the source,
  the Indonesian its translation in the `id` catalogue; then `update`.
- `check`: list what the `id` catalogue lacks (untranslated, fuzzy, placeholders that
  differ from the msgid's); exit 1 when anything does. tests/test_i18n_catalogue.py asks
  the same.

The app compiles the `.po` files itself when it starts (app/i18n.py); no `compile` step.
"""

import ast
import re
import string
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import write_po

from app.config import BASE_DIR
from app.i18n import DEFAULT_LANGUAGE, DOMAIN, TRANSLATIONS_DIR, catalogue_path, read_catalogue

ERRORS_MODULE = BASE_DIR / "app" / "errors.py"
KEYWORDS = {**DEFAULT_KEYWORDS, "plural": (1, 2)}
PERCENT_FIELD = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def placeholders(text: str) -> set[str]:
    """The names a message fills in: `{name}` fields (str.format, our messages) and
    `%(name)s` ones (WTForms')."""
    names = {match.group(1) or match.group(0) for match in PERCENT_FIELD.finditer(text)}
    try:
        names |= {field for _, field, _, _ in string.Formatter().parse(text) if field}
    except ValueError:
        names.add("<unbalanced braces>")
    return names


def extracted_template() -> Catalog:
    """The template catalogue: every message marked in the sources that babel.cfg names."""
    with (BASE_DIR / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    template = Catalog(project="sakip-kecamatan", domain=DOMAIN)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(BASE_DIR), method_map, options_map, keywords=KEYWORDS
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def _write(catalogue: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as target:
        # No line numbers: an edit elsewhere in a module does not touch the catalogue.
        write_po(target, catalogue, width=100, include_lineno=False)


def update() -> None:
    """Merge the extracted messages into every language's catalogue."""
    template = extracted_template()
    for po in sorted(TRANSLATIONS_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        catalogue = read_catalogue(po.parent.parent.name)
        # The header keeps its date: two branches that each add a message then merge cleanly.
        created = catalogue.creation_date
        catalogue.update(template, no_fuzzy_matching=True)
        catalogue.creation_date = created
        catalogue.obsolete.clear()
        _write(catalogue, po)
        print(f"updated {po.relative_to(BASE_DIR)}")


# --- adopting (Indonesian, English) pairs --------------------------------------------------


def _messages_table(tree: ast.Module) -> ast.Dict:
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign):
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == "MESSAGES":
            assert isinstance(node.value, ast.Dict)
            return node.value
    raise LookupError("app/errors.py has no MESSAGES table")


def _pairs(table: ast.Dict) -> list[tuple[str, ast.Tuple]]:
    """The entries of `table` still written as (Indonesian, English) string pairs."""
    pairs = []
    for key, value in zip(table.keys, table.values, strict=True):
        if (
            isinstance(key, ast.Constant)
            and isinstance(value, ast.Tuple)
            and len(value.elts) == 2
            and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts)
        ):
            pairs.append((key.value, value))
    return pairs


def _offset(line_starts: list[int], lineno: int, col: int) -> int:
    return line_starts[lineno - 1] + col


def _msgid_source(english: ast.Constant, source: bytes, starts: list[int], indent: int) -> str:
    """The `N_(...)` call replacing a pair, holding its English as it was written."""
    begin = _offset(starts, english.lineno, english.col_offset)
    end = _offset(starts, english.end_lineno, english.end_col_offset)
    lines = [line.strip() for line in source[begin:end].decode().splitlines()]
    one_line = f"N_({lines[0]})"
    if len(lines) == 1 and indent + len(one_line) + 20 < 100:
        return one_line
    inner = " " * (indent + 4)
    return "N_(\n" + "".join(f"{inner}{line}\n" for line in lines) + " " * indent + ")"


def adopt() -> int:
    """Move MESSAGES' (Indonesian, English) pairs into the catalogue; answer how many."""
    source = ERRORS_MODULE.read_bytes()
    table = _messages_table(ast.parse(source))
    pairs = _pairs(table)
    if not pairs:
        print("app/errors.py has no (Indonesian, English) pair left to adopt")
        return 0
    catalogue = read_catalogue(DEFAULT_LANGUAGE)
    known = {message.id: message.string for message in catalogue if message.string}
    problems = []
    for code, pair in pairs:
        indonesian, english = (element.value for element in pair.elts)
        if placeholders(indonesian) != placeholders(english):
            problems.append(
                f"{code}: the Indonesian fills {sorted(placeholders(indonesian))}, "
                f"the English {sorted(placeholders(english))}: name them alike"
            )
        if known.setdefault(english, indonesian) != indonesian:
            problems.append(
                f"{code}: {english!r} is already translated as {known[english]!r}; "
                "word the English differently"
            )
    if problems:
        raise SystemExit("nothing adopted:\n" + "\n".join(problems))
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    # From the end, so the offsets of the pairs before stay right.
    for code, pair in reversed(pairs):
        indonesian, english = pair.elts
        begin = _offset(starts, pair.lineno, pair.col_offset)
        end = _offset(starts, pair.end_lineno, pair.end_col_offset)
        line_begin = starts[pair.lineno - 1]
        indent = len(source[line_begin:begin]) - len(source[line_begin:begin].lstrip())
        replacement = _msgid_source(english, source, starts, indent).encode()
        source = source[:begin] + replacement + source[end:]
        catalogue.add(english.value, indonesian.value, [("app/errors.py", pair.lineno)])
        print(f"adopted {code}")
    ERRORS_MODULE.write_bytes(source)
    subprocess.run([sys.executable, "-m", "ruff", "format", str(ERRORS_MODULE)], check=False)
    _write(catalogue, catalogue_path(DEFAULT_LANGUAGE))
    update()
    return len(pairs)


# --- checking ---------------------------------------------------------------------------


def catalogue_problems(lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """What `lang`'s catalogue lacks: msgids of the sources it does not translate (or only
    fuzzily), and translations whose placeholders differ from their msgid's."""
    catalogue = read_catalogue(lang)
    problems = []
    for message in extracted_template():
        if not message.id:
            continue
        entry = catalogue.get(message.id)
        forms = (
            (entry.string if isinstance(entry.string, tuple) else (entry.string,)) if entry else ()
        )
        msgids = message.id if isinstance(message.id, tuple) else (message.id,)
        if entry is None or not all(forms) or entry.fuzzy:
            problems.append(f"{msgids[0]!r} has no {lang} translation")
        elif any(placeholders(form) != placeholders(msgids[-1]) for form in forms):
            problems.append(
                f"{msgids[0]!r}: the {lang} translation {forms[0]!r} fills other placeholders"
            )
    return problems


def main(argv: list[str]) -> int:
    """Run the command `argv[0]` (update, adopt or check)."""
    command = argv[0] if argv else ""
    if command == "update":
        update()
    elif command == "adopt":
        adopt()
    elif command == "check":
        problems = catalogue_problems()
        print("\n".join(problems) or "the catalogue translates every message")
        return 1 if problems else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
