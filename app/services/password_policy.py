"""The password policy (DESIGN.md rule 10), the one check of every password a person sets:
at least `PASSWORD_MIN_LENGTH` characters, not the username or the NIP, and not a common or
easily guessed password, as zxcvbn judges it with the user's own names as hints."""

from flask import current_app
from zxcvbn import zxcvbn

from app.errors import DomainError

# zxcvbn refuses longer input; what lies past it adds strength anyway.
ZXCVBN_MAX_LENGTH = 72

# zxcvbn's warnings, in Bahasa Indonesia (any other warning gets the general reason).
WARNINGS = {
    "This is a top-10 common password.": "termasuk 10 kata sandi paling umum",
    "This is a top-100 common password.": "termasuk 100 kata sandi paling umum",
    "This is a very common password.": "kata sandi yang sangat umum",
    "This is similar to a commonly used password.": "mirip kata sandi yang umum dipakai",
    "A word by itself is easy to guess.": "satu kata saja mudah ditebak",
    "Names and surnames by themselves are easy to guess.": "nama saja mudah ditebak",
    "Common names and surnames are easy to guess.": "nama umum mudah ditebak",
    'Repeats like "aaa" are easy to guess.': "pengulangan seperti “aaa” mudah ditebak",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': (
        "pengulangan seperti “abcabcabc” mudah ditebak"
    ),
    "Sequences like abc or 6543 are easy to guess.": "urutan seperti abc atau 6543 mudah ditebak",
    "Recent years are easy to guess.": "tahun-tahun terakhir mudah ditebak",
    "Dates are often easy to guess.": "tanggal mudah ditebak",
    "Straight rows of keys are easy to guess.": "deretan tombol papan ketik mudah ditebak",
    "Short keyboard patterns are easy to guess.": "pola papan ketik mudah ditebak",
}
GUESSABLE = "terlalu mudah ditebak"


def password_problems(
    password: str, *, username: str, nip: str | None = None, full_name: str | None = None
) -> list[str]:
    """Return the reasons, in Bahasa Indonesia, why `password` breaks the policy (none: it
    is good enough)."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    problems = []
    if len(password) < minimum:
        problems.append(f"kurang dari {minimum} karakter")
    folded = password.strip().casefold()
    if username and folded == username.casefold():
        problems.append("sama dengan nama pengguna")
    if nip and folded == nip.casefold():
        problems.append("sama dengan NIP")
    if problems:
        return problems
    hints = [hint for hint in (username, nip, *(full_name or "").split()) if hint]
    judged = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=hints)
    if judged["score"] < current_app.config["PASSWORD_MIN_SCORE"]:
        warning = judged["feedback"].get("warning") or ""
        problems.append(WARNINGS.get(warning, GUESSABLE))
    return problems


def check_password_policy(
    password: str, *, username: str, nip: str | None = None, full_name: str | None = None
) -> None:
    """Refuse a password that breaks the policy (422 `weak_password`, naming the reasons)."""
    problems = password_problems(password, username=username, nip=nip, full_name=full_name)
    if problems:
        raise DomainError(
            422,
            "weak_password",
            details={"field": "password", "reasons": problems},
            reasons="; ".join(problems),
            minimum=current_app.config["PASSWORD_MIN_LENGTH"],
        )
