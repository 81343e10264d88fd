"""Tests for the password policy (app/services/password_policy.py)."""

import pytest

from app.errors import DomainError
from app.services.password_policy import check_password_policy, password_problems

NIP = "198001012005011001"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("pendek", "kurang dari 10 karakter"),
        ("budi.santoso", "sama dengan nama pengguna"),
        ("BUDI.SANTOSO", "sama dengan nama pengguna"),
        (NIP, "sama dengan NIP"),
        ("password123", "umum"),
        ("qwertyuiop", "umum"),
        ("1234567890", "umum"),
        ("santosobudi1", "mudah ditebak"),
    ],
)
def test_a_weak_password_is_refused_with_its_reason(app_ctx, password, reason):
    """Short passwords, the username, the NIP, common and guessable passwords (the user's
    own names among the guesses) are refused with a reason in Bahasa Indonesia."""
    problems = password_problems(
        password, username="budi.santoso", nip=NIP, full_name="Budi Santoso"
    )
    assert any(reason in problem for problem in problems), problems


@pytest.mark.parametrize(
    "password", ["gajah-biru-menari", "Kopi tubruk di alun-alun 7", "x" * 5 + "Qz!9#vLm2@"]
)
def test_a_strong_password_passes(app_ctx, password):
    """A long, unguessable password has no problems."""
    assert password_problems(password, username="budi", nip=NIP, full_name="Budi") == []


def test_a_very_long_password_is_judged_without_error(app_ctx):
    """A password longer than zxcvbn reads (72 characters) is judged on its beginning."""
    assert password_problems("gajah-biru-menari " * 14, username="budi") == []


def test_the_refusal_is_422_weak_password_with_the_reasons(app_ctx):
    """check_password_policy raises 422 weak_password, the reasons in details and message."""
    with pytest.raises(DomainError) as raised:
        check_password_policy("budi", username="budi")
    error = raised.value
    assert (error.status, error.code) == (422, "weak_password")
    assert error.details["reasons"] == ["kurang dari 10 karakter", "sama dengan nama pengguna"]
    assert "kurang dari 10 karakter; sama dengan nama pengguna" in error.message("id")


def test_the_minimum_length_is_configurable(app_ctx):
    """PASSWORD_MIN_LENGTH sets the shortest password."""
    app_ctx.config["PASSWORD_MIN_LENGTH"] = 20
    assert "kurang dari 20 karakter" in password_problems("gajah-biru-menari", username="b")
