"""Tests of the office profile service (app/services/office.py): the configuration's
defaults, the seeding at init-db, and the one profile every reader gets."""

import pytest
import sqlalchemy as sa

from app.errors import DomainError
from app.extensions import db
from app.models import OfficeProfile, User
from app.services import office, reports
from tests.office_helpers import PROFILE, png_logo


@pytest.fixture
def admin(app_ctx, users):
    return db.session.get(User, users["admin"])


def test_the_configuration_stands_in_until_a_profile_is_stored(app_ctx):
    """Without a stored profile, does every reader get the configuration's OFFICE_* values?"""
    db.session.execute(sa.delete(OfficeProfile))
    app_ctx.config["OFFICE_ADDRESS"] = "Jl. Konfigurasi No. 2"
    assert office.office_profile().address == "Jl. Konfigurasi No. 2"
    assert office.office_profile().updated_at is None
    assert reports.office()["address"] == "Jl. Konfigurasi No. 2"


def test_seeding_stores_the_defaults_once(app_ctx):
    """Does seeding store the configuration as the profile once, and leave a stored one?"""
    db.session.execute(sa.delete(OfficeProfile))
    assert office.seed_office_profile() is True
    row = db.session.get(OfficeProfile, 1)
    row.name = "Kecamatan Bukateja"
    assert office.seed_office_profile() is False
    app_ctx.config["OFFICE_NAME"] = "Kecamatan Lain"
    assert office.office_profile().name == "Kecamatan Bukateja"


def test_the_saved_profile_feeds_letterhead_and_verification_links(admin):
    """After the admin saves a profile, do the letterhead and the base URL follow it?"""
    office.update_office_profile(PROFILE, actor=admin, logo=png_logo())
    assert reports.office() == {k: v for k, v in PROFILE.items() if k != "base_url"}
    assert office.base_url() == PROFILE["base_url"]
    assert office.office_profile().logo.media_type == "image/png"


def test_a_base_url_loses_its_trailing_slash(admin):
    """Is "https://host/" stored as "https://host", so links never have a double slash?"""
    office.update_office_profile({"base_url": "https://sakip.example.id/"}, actor=admin)
    assert office.base_url() == "https://sakip.example.id"


def test_a_non_admin_changes_nothing(app_ctx, users):
    """Is a Camat refused with 403?"""
    camat = db.session.get(User, users["camat"])
    with pytest.raises(DomainError) as refused:
        office.update_office_profile({"name": "X"}, actor=camat)
    assert refused.value.status == 403
