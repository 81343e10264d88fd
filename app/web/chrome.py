"""The page round every page's content (templates/base.html): the menu's links, the bell's
count and the office, from one statement a request; and the page round a board, kept.

The menu follows the newest version of every SOP (who may start one, who may read its
Kinerja SOP). Its definitions are kept per app against the registered versions (code,
version and content hash of each), which the same statement reads beside the user's unread
count; the board's lanes use them too. So a page pays one statement for its menu and its
bell, and the first request after a version is registered sees it.

The page round a board is rendered once for everything it shows — the user's name, roles
and NIP, the menu, his unread count, the office's name and logo (read in the same
statement) — and kept per process beside the boards (a fifth of a kept board's answer was
rendering it again). The CSRF token is each
request's own, filled in; a request with flash messages renders the page whole.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, g, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.extensions import db
from app.http import request_language
from app.models import OfficeProfile, SopVersion
from app.services.analytics import may_read
from app.services.office import PROFILE_ID
from app.services.reminders import inbox
from app.services.routing import may_start
from app.services.sop_definitions import SopDefinition, definition_of, list_latest_versions
from app.web import bp
from app.web.board_cache import CSRF_PLACEHOLDER, KeptBoard, PageRound, RenderedBoards

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
_SAVED_OFFICE = OfficeProfile.id == PROFILE_ID
# Built once: composing it took longer than running it.
# The page round's data as columns of one select (its user bound as "user_id"): a page that
# reads more in the same statement (the board's change marker) selects these after its own.
PAGE_DATA_COLUMNS = (
    sa.select(_VERSIONS).scalar_subquery(),
    inbox.unread_count_of(sa.bindparam("user_id")).scalar_subquery(),
    sa.select(OfficeProfile.name).where(_SAVED_OFFICE).scalar_subquery(),
    sa.select(OfficeProfile.logo_sha256).where(_SAVED_OFFICE).scalar_subquery(),
)
_PAGE_DATA = sa.select(*PAGE_DATA_COLUMNS)


@dataclass(frozen=True, slots=True)
class PageData:
    """What the page round the content reads from the database, once a request."""

    # Every registered SOP version, as "code:version:hash", sorted.
    versions: tuple[str, ...]
    unread: int
    # The saved office profile's name and logo hash (None before one is saved): what the
    # header shows of it, for the kept page round's key.
    office: tuple[str | None, str | None]


def page_data() -> PageData:
    """The registered SOP versions and the signed-in user's unread count (0 for no one), read
    at the first ask of the request, unless its page read them already (`remember_page_data`)."""
    if "page_data" not in g:
        user_id = current_user.id if current_user.is_authenticated else None
        remember_page_data(db.session.execute(_PAGE_DATA, {"user_id": user_id}).one())
    return g.page_data


def remember_page_data(values) -> None:
    """Keep for the request the values of `PAGE_DATA_COLUMNS` its page's statement read."""
    versions, unread, *office = values
    g.page_data = PageData(tuple(sorted((versions or "").split())), unread or 0, tuple(office))


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


def _round_key(template: str) -> tuple:
    """Everything templates/base.html shows but the CSRF token and the flash messages: who
    is signed in, the menu, his unread count, the office, the settings."""
    user = current_user
    return (
        "page round",
        template,
        request.endpoint,
        request.script_root,
        request_language(),
        user.id,
        user.full_name,
        user.nip,
        tuple(sorted(user.roles)),
        user.password_change_required,
        page_data(),
        current_app.config["OFFICE_NAME"],
        current_app.config["DEFAULT_SOP"],
        current_app.config.get("BOARD_POLL_SECONDS", 20),
    )


def page_round(template: str, slot: str, cache: RenderedBoards) -> tuple[bytes, bytes]:
    """The page `template` renders round its content (`slot`), before it and after it, for
    the signed-in user, with this request's CSRF token and flash messages; kept in `cache`
    when there are no messages."""
    if session.get("_flashes"):
        page = render_template(template, content=Markup(slot)).encode()
        before, after = page.split(slot.encode(), 1)
        return before, after
    key = _round_key(template)
    kept = cache.get(key, None)
    if kept is None:
        page = render_template(template, content=Markup(slot), csrf_token=lambda: CSRF_PLACEHOLDER)
        before, after = page.split(slot, 1)
        kept = PageRound(KeptBoard.of(before), KeptBoard.of(after))
        cache.put(key, kept, None)
    return kept.filled(generate_csrf())


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
