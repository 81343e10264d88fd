"""The page round every page's content (templates/base.html): the menu's links and the
bell's count, from one statement a request.

The menu follows the newest version of every SOP (who may start one, who may read its
Kinerja SOP). Its definitions are kept per app against the registered versions (code,
version and content hash of each), which the same statement reads beside the user's unread
count; the board's lanes use them too. So a page pays one statement for its menu and its
bell, and the first request after a version is registered sees it.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, g
from flask_login import current_user

from app.extensions import db
from app.models import SopVersion
from app.services.analytics import may_read
from app.services.reminders import inbox
from app.services.routing import may_start
from app.services.sop_definitions import SopDefinition, definition_of, list_latest_versions
from app.web import bp

# Where each app keeps the newest definitions and the versions they were read for.
CACHE = "newest_definitions"
# One text of every version, "code:version:hash" apart by spaces (codes have none).
_VERSIONS = sa.func.aggregate_strings(
    SopVersion.code
    + ":"
    + sa.cast(SopVersion.version, sa.String)
    + ":"
    + SopVersion.content_sha256,
    " ",
)
# Built once: composing it took longer than running it.
_PAGE_DATA = sa.select(
    sa.select(_VERSIONS).scalar_subquery(),
    inbox.unread_count_of(sa.bindparam("user_id")).scalar_subquery(),
)


@dataclass(frozen=True, slots=True)
class PageData:
    """What the page round the content reads from the database, once a request."""

    # Every registered SOP version, as "code:version:hash", sorted.
    versions: tuple[str, ...]
    unread: int


def page_data() -> PageData:
    """The registered SOP versions and the signed-in user's unread count (0 for no one), read
    at the first ask of the request."""
    if "page_data" not in g:
        user_id = current_user.id if current_user.is_authenticated else None
        versions, unread = db.session.execute(_PAGE_DATA, {"user_id": user_id}).one()
        g.page_data = PageData(tuple(sorted((versions or "").split())), unread or 0)
    return g.page_data


def newest_definitions() -> tuple[SopDefinition, ...]:
    """The definition of the newest version of every SOP, by code: kept per app until
    another version is registered."""
    stamp = page_data().versions
    kept = current_app.extensions.get(CACHE)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    definitions = tuple(definition_of(version) for version in list_latest_versions())
    current_app.extensions[CACHE] = (stamp, definitions)
    return definitions


@bp.app_context_processor
def _chrome():
    # Lazy: only pages that show the menu and the bell ask, and only for a signed-in user.
    def may_start_measurement() -> bool:
        return any(may_start(current_user, d) for d in newest_definitions())

    def may_see_kinerja() -> bool:
        return current_user.is_authenticated and any(
            may_read(current_user, d) for d in newest_definitions()
        )

    def unread_notifications() -> int:
        return page_data().unread if current_user.is_authenticated else 0

    return {
        "may_start_measurement": may_start_measurement,
        "may_see_kinerja": may_see_kinerja,
        "unread_notifications": unread_notifications,
    }
