"""The board: open tasks by actor lane, and the moves made on its cards."""

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app.database import begin_writing, read_rows, reads_first
from app.errors import DomainError
from app.http import client_ip, refuse, request_language
from app.models import utcnow
from app.rendering.format import format_standard
from app.services import office, routing
from app.services.board import CHANGE_MARKER_COLUMNS, BoardFilters, build_board, marker_of
from app.services.documents import configured_store, upload_document
from app.services.office_calendar import calendar_file_stamp, office_timezone
from app.services.sop_definitions import merged_actors
from app.web import bp
from app.web.board_cache import CSRF_PLACEHOLDER, KeptBoard, RenderedBoards
from app.web.chrome import PAGE_DATA_COLUMNS, newest_definitions, page_round, remember_page_data
from app.web.forms import GenerateForm, MoveForm, SignForm, UploadForm

MAX_ID = 2_147_483_647
# How many cards a lane shows before its *Tampilkan N lagi* (BOARD_LANE_CARDS) and how many
# rendered boards each process keeps (BOARD_CACHE_SIZE, 0 none) are settings (app/config.py):
# the boards of this minute, a user's filters each, for a few dozen users (older minutes are
# never asked for again).
# Page rounds (the page about a board) kept per process, apart from the boards: a megabyte
# board must not push the small rounds out, and a process keeping no boards keeps them.
PAGE_ROUNDS = 64
LANE_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")
# Where the kept board goes into the page round it.
_SLOT = f"<!--board-{CSRF_PLACEHOLDER}-->"


def _filters() -> BoardFilters:
    """Read the board's filters from the query string, ignoring nonsense."""
    raw_instance = request.args.get("instance", "")
    instance_id = int(raw_instance) if raw_instance.isdigit() and len(raw_instance) < 10 else None
    return BoardFilters(
        mine=request.args.get("mine") == "1",
        instance_id=instance_id if instance_id and instance_id <= MAX_ID else None,
        overdue_only=request.args.get("overdue") == "1",
    )


def _expanded() -> tuple[str, ...]:
    """The lanes whose *show more* was followed (`?more=<lane>`, repeatable; `more=all`)."""
    codes = {code for code in request.args.getlist("more")[:20] if LANE_CODE.fullmatch(code)}
    return ("all",) if "all" in codes else tuple(sorted(codes))


def _filter_args(filters: BoardFilters, expanded: tuple[str, ...] = ()) -> dict:
    args = {}
    if filters.mine:
        args["mine"] = "1"
    if filters.instance_id:
        args["instance"] = str(filters.instance_id)
    if filters.overdue_only:
        args["overdue"] = "1"
    if expanded:
        args["more"] = list(expanded)
    return args


# The change marker and the page round's data in one statement: every board page asks both
# (a poll only the marker, beside which the data costs next to nothing).
_MARKER_AND_PAGE_DATA = sa.select(*CHANGE_MARKER_COLUMNS, *PAGE_DATA_COLUMNS)


def _change_marker() -> str:
    """The boards' change marker, read with the page round's data (kept for the request)."""
    row = read_rows(_MARKER_AND_PAGE_DATA, {"user_id": current_user.id})[0]
    remember_page_data(row[len(CHANGE_MARKER_COLUMNS) :])
    return marker_of(row)


def _etag(filters: BoardFilters, expanded: tuple[str, ...], now: datetime) -> str:
    # Time moves the bars too, so the marker also changes every minute.
    minute = int(now.timestamp() // 60)
    args = sorted((k, str(v)) for k, v in _filter_args(filters, expanded).items())
    return f"b{current_user.id}-{_change_marker()}-{minute}-{args}"


def _lanes():
    """The board's lanes: the actors of every SOP the office runs, the default SOP's first;
    kept per app for the newest definitions they were merged from (app/web/chrome.py)."""
    default = current_app.config["DEFAULT_SOP"]
    definitions = newest_definitions()
    kept = current_app.extensions.get("board_lanes")
    if kept is not None and kept[0] is definitions and kept[1] == default:
        return kept[2]
    lanes = merged_actors(sorted(definitions, key=lambda definition: definition.code != default))
    current_app.extensions["board_lanes"] = (definitions, default, lanes)
    return lanes


@dataclass(frozen=True, slots=True)
class CardUrls:
    """Every link and form target of a card, with "%d" for its id (`urls.move % tid`: an
    operator costs Jinja less than a method call, and a board makes thousands). Attributes,
    not a dict: Jinja tries an attribute before a key, and the failed try on every card added
    up."""

    instance: str
    report: str
    document: str
    move: str
    upload: str
    generate: str
    sign: str
    paper: str


def _card_urls(query: dict) -> CardUrls:
    """A card's URLs, built once per render (url_for on each card was a large share of a big
    board's time)."""

    def pattern(endpoint: str, key: str, **args) -> str:
        url = url_for(endpoint, **{key: MAX_ID}, **args).replace("%", "%%")
        return url.replace(str(MAX_ID), "%d", 1)

    return CardUrls(
        instance=pattern("web.instance_page", "instance_id"),
        report=pattern("reports.get_report", "instance_id"),
        document=pattern("documents.get_content", "document_id"),
        **{
            name: pattern(f"web.{endpoint}", "task_id", **query)
            for name, endpoint in (
                ("move", "move_task"),
                ("upload", "upload_to_task"),
                ("generate", "generate_for_task"),
                ("sign", "sign_on_task"),
                ("paper", "sign_on_paper"),
            )
        },
    )


@dataclass(frozen=True, slots=True)
class StepText:
    """A step's texts on its cards, escaped: its name, heading, standard, co-actors (empty for
    a step of one actor), inputs and required outputs."""

    name: Markup
    heading: Markup
    standard: Markup
    actors: Markup | str
    inputs: Markup
    required_outputs: Markup


class StepTexts:
    """A step's texts on its cards, escaped once per render rather than on each of hundreds
    of cards of the same step (Jinja's escaping was a seventh of a big board's time). Read
    as `step_texts[view]`: Jinja indexes for less than it calls a method."""

    def __init__(self):
        # Keyed by the step object's id; the step is kept with its texts, so the id stays its.
        self._by_id: dict[int, tuple] = {}

    def __getitem__(self, view) -> StepText:
        """The texts of `view`'s step."""
        entry = self._by_id.get(id(view.step))
        if entry is None:
            step = view.step
            env = current_app.jinja_env
            entry = self._by_id[id(step)] = (
                step,
                StepText(
                    name=escape(step.name),
                    heading=escape(env.filters["truncate"](env, step.name, 110)),
                    standard=escape(format_standard(step.standard)),
                    actors=escape(" & ".join(view.actor_names)) if len(step.actors) > 1 else "",
                    inputs=escape(", ".join(step.inputs)),
                    required_outputs=escape(", ".join(step.required_outputs)),
                ),
            )
        return entry[1]


def _cache() -> RenderedBoards:
    cache = current_app.extensions.get("board_cache")
    if cache is None:
        size = current_app.config["BOARD_CACHE_SIZE"]
        cache = current_app.extensions["board_cache"] = RenderedBoards(size)
    return cache


def _page_rounds() -> RenderedBoards:
    rounds = current_app.extensions.get("board_page_rounds")
    if rounds is None:
        rounds = current_app.extensions["board_page_rounds"] = RenderedBoards(
            PAGE_ROUNDS, chars=4 * 1024 * 1024
        )
    return rounds


def _rendered(template: str, filters, expanded, errors, etag: str, now: datetime) -> KeptBoard:
    """The board's HTML (CSRF tokens as the placeholder), from the cache when nothing it
    shows can have changed: the key holds the change marker and the minute (in the etag),
    the user and his roles, his filters and open lanes, the lanes, the language and the
    calendar file. A render carrying a refusal's message is never kept."""
    actors = _lanes()
    key = (
        template,
        etag,
        current_user.id,
        tuple(sorted(current_user.roles)),
        request_language(),
        actors,
        calendar_file_stamp(),
    )
    cache = _cache()
    if not errors:
        kept = cache.get(key, now)
        if kept is not None:
            return kept
    cap = current_app.config["BOARD_LANE_CARDS"]
    # The user himself, not the proxy: every card asks his roles, and each read through
    # `current_user` finds him in the request's context again.
    user = current_user._get_current_object()
    board = build_board(user, actors, filters, now, lane_cap=cap, expanded=expanded)
    query = _filter_args(filters, expanded)
    html = render_template(
        template,
        board=board,
        errors=errors or {},
        filter_args=query,
        filters_only=_filter_args(filters),
        expanded=expanded,
        urls=_card_urls(query),
        zone=office_timezone(),
        step_texts=StepTexts(),
        csrf=CSRF_PLACEHOLDER,
        etag=etag,
    )
    kept = KeptBoard.of(html)
    if not errors:
        cache.put(key, kept, board.next_due)
    return kept


def render_board(
    filters: BoardFilters,
    errors: dict[int, str] | None = None,
    status: int = 200,
    etag: str | None = None,
):
    """Render the board: the whole page, or only the board when HTMX asks."""
    now = utcnow()
    expanded = _expanded()
    etag = etag or _etag(filters, expanded, now)
    partial = bool(request.headers.get("HX-Request"))
    template = "board/_board.html" if partial else "board/_content.html"
    kept = _rendered(template, filters, expanded, errors, etag, now)
    # The page round the board is kept too, with a slot the kept board fills.
    before, after = (b"", b"") if partial else page_round("board/index.html", _SLOT, _page_rounds())
    response = make_response(kept.filled(generate_csrf(), before, after), status)
    response.mimetype = "text/html"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "HX-Request"
    return response


@bp.route("/")
@login_required
def board():
    """Show the board; a poll whose board has not changed gets 204 (nothing to swap)."""
    filters = _filters()
    etag = _etag(filters, _expanded(), utcnow())
    if request.headers.get("HX-Request") and request.headers.get("X-Board-Version") == etag:
        return "", 204
    return render_board(filters, etag=etag)


def _after_move(filters: BoardFilters, message: str):
    if request.headers.get("HX-Request"):
        return render_board(filters)
    flash(message, "success")
    return redirect(url_for("web.board", **_filter_args(filters, _expanded())))


def _refused(filters: BoardFilters, task_id: int, error: DomainError):
    refuse(error)
    message = error.message(request_language())
    if request.headers.get("HX-Request"):
        return render_board(filters, errors={task_id: message}, status=error.status)
    flash(message, "error")
    return redirect(url_for("web.board", **_filter_args(filters, _expanded())))


@bp.route("/tasks/<int(min=1, max=2147483647):task_id>/move", methods=["POST"])
@login_required
def move_task(task_id: int):
    """Complete a step, or approve or return a review, from its card."""
    filters = _filters()
    form = MoveForm()
    if not form.validate_on_submit():
        return _refused(filters, task_id, DomainError(400, "bad_request", reason="formulir"))
    version = int(form.version.data) if form.version.data else None
    try:
        task = routing.lock_task(task_id)
        if form.decision.data:
            result = routing.decide(
                task,
                actor=current_user,
                decision=form.decision.data,
                note=form.note.data,
                version=version,
                ip=client_ip(),
            )
        else:
            result = routing.complete_task(
                task,
                actor=current_user,
                note=form.note.data,
                version=version,
                ip=client_ip(),
            )
    except DomainError as error:
        return _refused(filters, task_id, error)
    outcome = {"completed": "diselesaikan", "approved": "disetujui", "returned": "dikembalikan"}
    return _after_move(
        filters, f"Langkah {result.task.step_no} {outcome[result.task.outcome.value]}."
    )


def _attach_from_card(task_id: int, form, attach, done: str):
    """Attach a document to a card's task (`attach(task, **store_args)` uploads or renders
    it) and answer the board, or the refusal on the card."""
    filters = _filters()
    if not form.validate_on_submit():
        reason = "; ".join(e for errors in form.errors.values() for e in errors) or "formulir"
        return _refused(filters, task_id, DomainError(422, "bad_request", reason=reason))
    try:
        document = attach(
            routing.get_task(task_id),
            actor=current_user,
            store=configured_store(),
            limit=current_app.config["MAX_CONTENT_LENGTH"],
            ip=client_ip(),
        )
    except DomainError as error:
        return _refused(filters, task_id, error)
    return _after_move(filters, f"{document.kind} v{document.version} {done}.")


@bp.route("/tasks/<int(min=1, max=2147483647):task_id>/upload", methods=["POST"])
@login_required
def upload_to_task(task_id: int):
    """Upload one of a step's output documents from its card."""
    form = UploadForm()

    def upload(task, **store_args):
        return upload_document(
            task,
            kind=form.kind.data,
            filename=form.file.data.filename,
            stream=form.file.data.stream,
            **store_args,
        )

    return _attach_from_card(task_id, form, upload, "diunggah")


@bp.route("/tasks/<int(min=1, max=2147483647):task_id>/generate", methods=["POST"])
@login_required
def generate_for_task(task_id: int):
    """Render one of a step's outputs from the system's data and attach it, from its card."""
    from app.services.reports import generate_document

    form = GenerateForm()

    def generate(task, **store_args):
        return generate_document(task, kind=form.kind.data, **store_args)

    return _attach_from_card(task_id, form, generate, "dibuat otomatis")


@bp.route("/tasks/<int(min=1, max=2147483647):task_id>/sign", methods=["POST"])
@reads_first
@login_required
def sign_on_task(task_id: int):
    """Sign the measurement's report from its card, confirming with one's password."""
    from app.services.signing import sign_report

    filters = _filters()
    form = SignForm()
    if not form.validate_on_submit():
        if form.password.errors:
            return _refused(filters, task_id, DomainError(422, "password_required"))
        return _refused(filters, task_id, DomainError(400, "bad_request", reason="formulir"))
    try:
        result = sign_report(
            routing.get_task(task_id),
            actor=current_user,
            password=form.password.data,
            store=configured_store(),
            limit=current_app.config["MAX_CONTENT_LENGTH"],
            base_url=office.base_url(),
            version=int(form.version.data) if form.version.data else None,
            ip=client_ip(),
            before_writing=begin_writing,
        )
    except DomainError as error:
        return _refused(filters, task_id, error)
    # The card is gone with the finished measurement: show its page, with the signed report.
    flash(
        f"Laporan {result.report.period} ditandatangani; kode verifikasi {result.report.sha256}.",
        "success",
    )
    target = url_for("web.instance_page", instance_id=result.report.instance_id)
    if request.headers.get("HX-Request"):
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)
