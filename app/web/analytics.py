"""Kinerja SOP: how well the office keeps its SOP, per step, lane, quarter and measurement,
with the charts drawn on the server and the same table as CSV and .xlsx."""

from flask import current_app, render_template, request, url_for
from flask_login import current_user, login_required

from app.errors import DomainError
from app.rendering.format import format_period
from app.rendering.svg.kinerja import QuarterBar, StepTimeBar, compliance_svg, step_time_svg
from app.services.analytics import Analytics, Scope, may_read, readable_versions, step_analytics
from app.services.audit.query import parse_bound
from app.services.measurements import periods_in_use
from app.services.periods import is_period
from app.services.sop_definitions import definition_of, list_latest_versions
from app.web import bp

STEP_TITLE = "Waktu kerja per langkah terhadap mutu baku"
QUARTER_TITLE = "Kepatuhan terhadap mutu baku per triwulan"
FIELDS = {"since": "Dari", "until": "Sampai"}


def readable_sops(user) -> list:
    """The SOPs (newest versions) whose analytics `user` may read."""
    return [v for v in list_latest_versions() if may_read(user, definition_of(v))]


def _form() -> tuple[dict[str, str], dict[str, str], dict]:
    """The filters as typed, the message of each bad one, and the parsed values."""
    typed = {
        name: request.args.get(name, "").strip()[:40]
        for name in ("sop", "period", "since", "until")
    }
    errors, values = {}, {}
    for name, label in FIELDS.items():
        if typed[name]:
            try:
                values[name] = parse_bound(typed[name])
            except ValueError as error:
                errors[name] = f"{label}: {error}"
    if typed["period"] and not is_period(typed["period"]):
        errors["period"] = "Periode harus berbentuk TTTT atau TTTT-Q1..Q4."
    elif typed["period"]:
        values["period"] = typed["period"]
    if not errors:
        try:
            Scope("-", **values)
        except DomainError:
            errors["until"] = "Sampai: tanggal harus sama dengan atau sesudah tanggal dari."
    return typed, errors, values


def _step_bars(analytics: Analytics) -> list[StepTimeBar]:
    slowest = analytics.slowest_step
    return [
        StepTimeBar(
            label=f"Langkah {step.step_no}",
            standard_minutes=step.standard_minutes,
            median_minutes=step.median_working_minutes,
            p90_minutes=step.p90_working_minutes,
            slowest=slowest is not None and step.step_no == slowest.step_no,
        )
        for step in analytics.steps
    ]


def _quarter_bars(analytics: Analytics) -> list[QuarterBar]:
    return [
        QuarterBar(
            label=format_period(q.quarter),
            compliance=q.totals.compliance,
            tasks=q.totals.tasks,
            late=q.totals.late,
        )
        for q in analytics.trend
    ]


@bp.route("/kinerja")
@login_required
def kinerja():
    """Show how well the office keeps its SOP over the chosen measurements."""
    typed, errors, values = _form()
    sop = typed["sop"] or current_app.config["DEFAULT_SOP"]
    context = {
        "typed": typed,
        "errors": errors,
        "sops": readable_sops(current_user),
        "periods": periods_in_use(),
        "analytics": None,
    }
    if errors:
        # Nothing is counted for a filter that cannot be read; the form says what is wrong.
        readable_versions(sop, current_user)  # still refuses a reader who may not see it
        return render_template("analytics/index.html", **context), 422
    scope = Scope(sop, **values)
    analytics = step_analytics(scope, current_user)
    query = scope.as_dict()
    context.update(
        analytics=analytics,
        slowest=analytics.slowest_step,
        step_chart=step_time_svg(_step_bars(analytics), title=STEP_TITLE),
        quarter_chart=compliance_svg(_quarter_bars(analytics), title=QUARTER_TITLE),
        csv_url=url_for("analytics.get_steps_csv", **query),
        xlsx_url=url_for("analytics.get_steps_xlsx", **query),
    )
    return render_template("analytics/index.html", **context)
