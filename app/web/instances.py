"""A measurement's page, and starting a new measurement."""

from collections import defaultdict

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.errors import DomainError
from app.http import client_ip, refuse, request_language
from app.models import TaskOutcome, TaskStatus
from app.rendering.svg.flowchart import FlowProgress, flowchart_svg
from app.rendering.svg.timeline import timeline_bars, timeline_svg
from app.services import routing, task_views
from app.services.documents import documents_of_instance
from app.services.office_calendar import unknown_years_ahead
from app.services.signing import signed_report_of
from app.services.sop_definitions import definition_of
from app.web import bp
from app.web.forms import StartForm


def _progress(detail: task_views.InstanceDetail) -> FlowProgress:
    returns: dict[int, int] = defaultdict(int)
    for view in detail.tasks:
        if view.task.outcome == TaskOutcome.RETURNED:
            returns[view.task.step_no] += 1
    return FlowProgress(
        done_steps=frozenset(
            v.task.step_no for v in detail.tasks if v.task.status == TaskStatus.DONE
        ),
        current_steps=frozenset(v.task.step_no for v in detail.open_tasks),
        returns_taken=dict(returns),
    )


@bp.route("/instances/<int(min=1, max=2147483647):instance_id>")
@login_required
def instance_page(instance_id: int):
    """Show a measurement: the flowchart with its progress, the mutu baku table, the notes
    of every return, the documents and the timeline."""
    try:
        instance = routing.get_instance(instance_id)
    except DomainError:
        abort(404)
    detail = task_views.instance_detail(instance)
    definition = routing.definition_for(instance)
    documents = defaultdict(list)
    for document in documents_of_instance(instance.id):
        documents[document.step_no].append(document)
    returns = [v for v in detail.tasks if v.task.outcome == TaskOutcome.RETURNED]
    return render_template(
        "instances/show.html",
        instance=instance,
        signed=signed_report_of(instance),
        detail=detail,
        definition=definition,
        documents=documents,
        returns=returns,
        flowchart=flowchart_svg(definition, _progress(detail)),
        timeline=timeline_svg(timeline_bars(detail.tasks)),
    )


@bp.route("/instances/new", methods=["GET", "POST"])
@login_required
def start_instance():
    """Start a measurement for a period (the first step's actors of an SOP, admin)."""
    versions = routing.startable_versions(current_user)
    if not versions:
        flash("Peran Anda tidak dapat memulai pengukuran SOP mana pun.", "error")
        return redirect(url_for("web.board"))
    form = StartForm()
    form.sop.choices = [SelectChoice(v.code, f"{v.title} (versi {v.version})") for v in versions]
    if not form.is_submitted():
        form.sop.data = current_app.config["DEFAULT_SOP"]
    first_steps = [(v.title, definition_of(v).first_step) for v in versions]
    status = 200
    if form.validate_on_submit():
        try:
            instance = routing.start_instance(
                sop_code=form.sop.data,
                period=form.period.data,
                title=form.title.data or None,
                actor=current_user,
                ip=client_ip(),
            )
        except DomainError as error:
            refuse(error)
            form.period.errors.append(error.message(request_language()))
            status = error.status
        else:
            flash(f"Pengukuran {instance.period} dimulai.", "success")
            return redirect(url_for("web.instance_page", instance_id=instance.id))
    elif form.is_submitted():
        status = 422
    unknown_years = sorted(
        {year for v in versions for year in unknown_years_ahead(definition_of(v))}
    )
    return render_template(
        "instances/new.html", form=form, first_steps=first_steps, unknown_years=unknown_years
    ), status
