"""Tests that the migrations in migrations/ build exactly the schema the models describe."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app.config import BASE_DIR
from app.extensions import db
from app.models import AuditHead
from app.models.types import render_item
from app.services.audit import GENESIS_HASH


def schema_diff(metadata: sa.MetaData) -> list:
    """Compare the live database of the current app with `metadata`, as autogenerate would."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_item": render_item},
        )
        return compare_metadata(context, metadata)


def copy_of_models() -> sa.MetaData:
    """Return a copy of the models' metadata that a test may change freely."""
    copy = sa.MetaData(naming_convention=db.metadata.naming_convention)
    for table in db.metadata.tables.values():
        table.to_metadata(copy)
    return copy


def operations(diff: list) -> list[tuple]:
    """Name each difference by its operation and table (columns nest one level deeper)."""
    named = []
    for entry in diff:
        if isinstance(entry, list):
            entry = entry[0]
        op = entry[0]
        if op in ("add_table", "remove_table"):
            named.append((op, entry[1].name))
        elif op in ("add_column", "remove_column"):
            named.append((op, entry[2], entry[3].name))
        elif op.startswith("modify_"):
            named.append((op, entry[2], entry[3]))
        else:
            named.append((op,))
    return named


def test_migrated_schema_matches_the_models(app_ctx):
    """The migrated database has exactly the tables, columns, types and indexes of the models."""
    assert schema_diff(db.metadata) == []


def test_an_added_column_is_detected(app_ctx):
    """A column in the models but not in the migrations makes the diff non-empty."""
    models = copy_of_models()
    models.tables["org_unit"].append_column(sa.Column("throwaway", sa.String(10)))
    assert operations(schema_diff(models)) == [("add_column", "org_unit", "throwaway")]


def test_an_added_table_is_detected(app_ctx):
    """A table in the models but not in the migrations makes the diff non-empty."""
    models = copy_of_models()
    sa.Table("throwaway", models, sa.Column("id", sa.Integer, primary_key=True))
    assert operations(schema_diff(models)) == [("add_table", "throwaway")]


def test_a_changed_type_is_detected(app_ctx):
    """A column type changed in the models but not in the migrations is detected."""
    models = copy_of_models()
    models.tables["org_unit"].c.code.type = sa.String(80)
    assert operations(schema_diff(models)) == [("modify_type", "org_unit", "code")]


def test_a_table_missing_from_the_models_is_detected(app_ctx):
    """A table the migrations create but the models dropped is detected."""
    models = copy_of_models()
    models.remove(models.tables["holiday"])
    assert operations(schema_diff(models)) == [("remove_table", "holiday")]


def test_downgrade_to_base_and_upgrade_again(sqlite_app):
    """On SQLite the migrations go down to an empty database and back up to the models."""
    with sqlite_app.app_context():
        db.session.remove()
        downgrade(revision="base")
        tables = set(sa.inspect(db.engine).get_table_names())
        assert tables <= {"alembic_version"}

        upgrade()
        assert schema_diff(db.metadata) == []
        with db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        assert current == ScriptDirectory(str(BASE_DIR / "migrations")).get_current_head()
        head = db.session.get(AuditHead, 1)
        assert (head.last_event_id, head.last_hash) == (None, GENESIS_HASH)
        db.session.rollback()


def test_roles_migration_keeps_the_rows_and_frees_the_codes(sqlite_app):
    """Moving user_role.role off the enum keeps every role held, then takes any SOP actor's
    code (and refuses an empty one); going back drops only the roles the enum did not know."""
    user_role = sa.table("user_role", sa.column("user_id"), sa.column("role"))
    with sqlite_app.app_context():
        db.session.remove()
        downgrade(revision="5044625011e8")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO user_account (id, username, full_name, password_hash, "
                    "is_active_account, created_at) VALUES (1, 'camat', 'C', 'x', 1, "
                    "'2026-01-01 00:00:00')"
                )
            )
            connection.execute(user_role.insert(), [{"user_id": 1, "role": "camat"}])
            with pytest.raises(sa.exc.IntegrityError), connection.begin_nested():
                connection.execute(user_role.insert(), [{"user_id": 1, "role": "bendahara"}])

        upgrade()
        with db.engine.begin() as connection:
            connection.execute(user_role.insert(), [{"user_id": 1, "role": "bendahara"}])
            with pytest.raises(sa.exc.IntegrityError), connection.begin_nested():
                connection.execute(user_role.insert(), [{"user_id": 1, "role": ""}])
            roles = connection.execute(sa.select(user_role.c.role).order_by("role")).scalars()
            assert list(roles) == ["bendahara", "camat"]

        downgrade(revision="5044625011e8")
        with db.engine.connect() as connection:
            assert list(connection.execute(sa.select(user_role.c.role)).scalars()) == ["camat"]
        upgrade()
        assert schema_diff(db.metadata) == []


def test_calendar_years_migration_keeps_the_stored_days_known(sqlite_app):
    """The days off stored before the years existed get a year row each year they fall in
    (so those years stay known) and belong to it."""
    with sqlite_app.app_context():
        db.session.remove()
        downgrade(revision="9c4d1e7a2b35")
        with db.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM holiday"))
            connection.execute(
                sa.text(
                    "INSERT INTO holiday (day, name, kind) VALUES "
                    "('2026-08-17', 'Proklamasi', 'libur_nasional'), "
                    "('2027-01-01', 'Tahun Baru', 'libur_nasional')"
                )
            )
        upgrade()
        with db.engine.connect() as connection:
            years = connection.execute(
                sa.text("SELECT year, source FROM holiday_year ORDER BY year")
            ).all()
            days = connection.execute(
                sa.text("SELECT day, year, estimated FROM holiday ORDER BY day")
            ).all()
        assert [year for year, _ in years] == [2026, 2027]
        assert all("SKB 3 Menteri" in source for _, source in years)
        assert [(str(day), year, bool(estimated)) for day, year, estimated in days] == [
            ("2026-08-17", 2026, False),
            ("2027-01-01", 2027, False),
        ]
        assert schema_diff(db.metadata) == []


def test_accounts_migration_keeps_users_roles_and_tokens(sqlite_app):
    """Adding the accounts' columns keeps every user, role and token (on SQLite a copied
    and dropped user table would cascade them away); new columns read false or empty, and
    going back keeps them too."""
    with sqlite_app.app_context():
        db.session.remove()
        downgrade(revision="9c4d1e7a2b35")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO user_account (id, username, full_name, password_hash, "
                    "is_active_account, created_at) VALUES (1, 'camat', 'C', 'x', 1, "
                    "'2026-01-01 00:00:00')"
                )
            )
            connection.execute(sa.text("INSERT INTO user_role VALUES (1, 'camat')"))
            connection.execute(
                sa.text(
                    "INSERT INTO api_token (id, user_id, token_hash, created_at, expires_at) "
                    "VALUES (1, 1, 'h', '2026-01-01 00:00:00', '2026-01-02 00:00:00')"
                )
            )
        upgrade()
        with db.engine.connect() as connection:
            row = connection.execute(
                sa.text("SELECT email, is_demo, password_change_required FROM user_account")
            ).one()
            assert tuple(row) == (None, 0, 0)
            assert connection.execute(sa.text("SELECT count(*) FROM user_role")).scalar() == 1
            assert connection.execute(sa.text("SELECT count(*) FROM api_token")).scalar() == 1
        downgrade(revision="9c4d1e7a2b35")
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM user_role")).scalar() == 1
        upgrade()
        assert schema_diff(db.metadata) == []
