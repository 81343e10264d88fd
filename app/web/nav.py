"""The main menu's data: which links a user's roles open, from the SOPs read once a request.

The menu follows the newest version of every SOP (who may start one, who may read its
Kinerja SOP). Its definitions are kept per app against the registered versions — code,
version and content hash of each, one cheap statement read once a request and shared with
the board's lanes — so that a page pays no look-up of the newest versions for its menu,
and the next request after a version is registered sees it.
"""

import sqlalchemy as sa
from flask import current_app, g
from flask_login import current_user

from app.extensions import db
from app.models import SopVersion
from app.services.analytics import may_read
from app.services.routing import may_start
from app.services.sop_definitions import SopDefinition, definition_of, list_latest_versions
from app.web import bp

# Where each app keeps the newest definitions and the versions they were read for.
CACHE = "newest_definitions"
_REGISTERED = sa.select(SopVersion.code, SopVersion.version, SopVersion.content_sha256)


def registered_versions() -> tuple[tuple[str, int, str], ...]:
    """Every registered SOP version as (code, version, content hash), read once a request."""
    if "registered_versions" not in g:
        g.registered_versions = tuple(sorted(map(tuple, db.session.execute(_REGISTERED))))
    return g.registered_versions


def newest_definitions() -> tuple[SopDefinition, ...]:
    """The definition of the newest version of every SOP, by code: kept per app until
    another version is registered."""
    stamp = registered_versions()
    kept = current_app.extensions.get(CACHE)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    definitions = tuple(definition_of(version) for version in list_latest_versions())
    current_app.extensions[CACHE] = (stamp, definitions)
    return definitions


@bp.app_context_processor
def _menu():
    # Lazy: only pages that show the menu ask, and only for a signed-in user.
    def may_start_measurement() -> bool:
        return any(may_start(current_user, d) for d in newest_definitions())

    def may_see_kinerja() -> bool:
        return current_user.is_authenticated and any(
            may_read(current_user, d) for d in newest_definitions()
        )

    return {"may_start_measurement": may_start_measurement, "may_see_kinerja": may_see_kinerja}
