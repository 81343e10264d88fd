"""The shipped calendar file's holiday lists, held against DESIGN.md and the holidays package
(pinned exactly in the test extras, so that a new release cannot move this test)."""

from datetime import date

import holidays
import pytest

from app.services.calendar import default_calendar_path, load_calendar

_, YEARS = load_calendar(default_calendar_path())
SHIPPED = {year.year: year for year in YEARS}
ESTIMATED = "(perkiraan)"

# DESIGN.md rule 3, as written there.
DESIGN_2026_HOLIDAYS = [
    (1, 1), (1, 16), (2, 17), (3, 19), (3, 21), (3, 22), (4, 3), (4, 5), (5, 1), (5, 14),
    (5, 27), (5, 31), (6, 1), (6, 16), (8, 17), (8, 25), (12, 25),
]  # fmt: skip
DESIGN_2026_CUTI_BERSAMA = [(2, 16), (3, 18), (3, 20), (3, 23), (3, 24), (5, 15), (5, 28), (12, 24)]
# Where the package's 2026 differs from DESIGN.md's list: nowhere (0.109 agrees day by day).
KNOWN_2026_DIFFERENCES: dict[str, set[date]] = {"holiday": set(), "cuti_bersama": set()}


def package_days(year: int) -> dict[str, dict[date, str]]:
    """The package's days off for `year` by our kind: public holidays and cuti bersama."""
    public = holidays.Indonesia(years=year, language="id")
    government = holidays.Indonesia(years=year, language="id", categories=("government",))
    return {"holiday": dict(public), "cuti_bersama": dict(government)}


def shipped_days(year: int, kind: str) -> set[date]:
    word = {"holiday": "libur_nasional", "cuti_bersama": "cuti_bersama"}[kind]
    return {h.day for h in SHIPPED[year].holidays if h.kind == word}


def test_the_package_is_the_pinned_release():
    """The comparison below is made against holidays 0.109, the release the file cites."""
    assert holidays.__version__ == "0.109"
    assert "holidays 0.109" in SHIPPED[2027].source


def test_2026_is_exactly_design_md_list():
    """2026 ships exactly the 17 holidays and 8 cuti bersama days DESIGN.md lists."""
    assert shipped_days(2026, "holiday") == {date(2026, m, d) for m, d in DESIGN_2026_HOLIDAYS}
    assert shipped_days(2026, "cuti_bersama") == {
        date(2026, m, d) for m, d in DESIGN_2026_CUTI_BERSAMA
    }
    assert "SKB 3 Menteri" in SHIPPED[2026].source


def test_2026_matches_the_package_but_for_the_known_differences():
    """The package's 2026 is DESIGN.md's list, up to the differences stated above."""
    for kind, days in package_days(2026).items():
        assert set(days) ^ shipped_days(2026, kind) == KNOWN_2026_DIFFERENCES[kind]


@pytest.mark.parametrize("kind", ["holiday", "cuti_bersama"])
def test_2027_is_the_package_list(kind):
    """2027 ships the package's public holidays and its cuti bersama (government) days, with
    the package's Indonesian names."""
    expected = package_days(2027)[kind]
    assert shipped_days(2027, kind) == set(expected)
    names = {h.day: h.name for h in SHIPPED[2027].holidays}
    assert {day: names[day] for day in expected} == {
        day: name.replace(ESTIMATED, "").strip() for day, name in expected.items()
    }


def test_2027_marks_estimated_what_the_package_estimates():
    """A date the package names as perkiraan (estimated) is marked estimated, and only those."""
    days = {**package_days(2027)["holiday"], **package_days(2027)["cuti_bersama"]}
    estimated = {day for day, name in days.items() if ESTIMATED in name}
    assert estimated
    assert {h.day for h in SHIPPED[2027].holidays if h.estimated} == estimated
