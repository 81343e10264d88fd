"""Reports: the measurement's documents as PDF, rendered from templates (`rendering.pdf`).

Kertas kerja per section, the recap, the draft (marked KONSEP) and final report, and the
timeline against the mutu baku. Each renders `templates/reports/<name>.html` with the office
letterhead (kop surat) and "Halaman X dari Y" in a footer frame; the charts are SVG
(`rendering.svg`) embedded as `data:` images, sized to fit their page. The paper forms'
paraf and signature places come from `services.signatories`; the recap and the draft list
the implausible figures for the reviewers (`indicators.plausibility`). The same worksheets
and recap as spreadsheets are `services.spreadsheets`.

Generated documents count as step outputs: a step's `generated_outputs` names the
generator of a kind, and `generate_document` renders it and attaches it as the next
version of that kind, exactly like an upload.
"""

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.errors import DomainError, not_found
from app.extensions import db
from app.models import (
    Document,
    Instance,
    InstanceStatus,
    Task,
    TaskOutcome,
    TaskStatus,
    User,
    UserRole,
    utcnow,
)
from app.rendering.pdf import render_pdf
from app.rendering.svg.chart import ChartBar, achievement_chart_svg
from app.rendering.svg.timeline import timeline_bars, timeline_svg
from app.rendering.svg.writer import data_uri
from app.services import indicators, routing, signatories, task_views
from app.services.documents import BlobStore, ensure_can_attach, upload_document
from app.services.indicators import MeasurementSheet, SectionSheet
from app.services.office import office_profile
from app.services.office_calendar import office_timezone
from app.services.sop_definitions import SopDefinition, register_generators

# The logo's square on the letterhead, in points.
LOGO_BOX = 58


def office() -> dict[str, str]:
    """The letterhead's facts: the government, the office, its address, contacts and city,
    from the office profile."""
    return office_profile().letterhead()


def _render(template: str, **context) -> bytes:
    """Render a report with the letterhead (the profile's facts and logo) and the printing
    time."""
    profile = office_profile()
    logo = None
    if profile.logo:
        width, height = profile.logo.fitted(LOGO_BOX)
        logo = {"src": profile.logo.data_uri(), "width": width, "height": height}
    return render_pdf(
        template, office=profile.letterhead(), logo=logo, printed_at=utcnow(), **context
    )


# --------------------------------------------------------------------------- charts


@dataclass(frozen=True)
class Picture:
    """A drawing as a report places it: its `data:` URI and its printed size in cm."""

    src: str
    width_cm: float
    height_cm: float


def fitted_picture(svg: str, max_width_cm: float, max_height_cm: float) -> Picture:
    """Place an SVG drawing as large as it fits in the box, keeping its proportions: a tall
    drawing is printed smaller rather than pushed whole to the next page, leaving the first
    one nearly blank."""
    match = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    width, height = (float(match[1]), float(match[2])) if match else (4.0, 3.0)
    scale = min(max_width_cm / width, max_height_cm / height)
    return Picture(data_uri(svg), round(width * scale, 2), round(height * scale, 2))


def achievement_chart(sheet: MeasurementSheet, office_name: str) -> str:
    """Answer the achievement-by-section chart of `sheet` as a data URI."""
    bars = [ChartBar(s.name, s.average, s.category.label) for s in sheet.sections if s.rows]
    bars.append(ChartBar(f"{office_name} (keseluruhan)", sheet.average, sheet.category.label, True))
    return data_uri(achievement_chart_svg(bars, "Capaian kinerja per bagian"))


# The room the timeline's chart has on its landscape first page, below the letterhead and the
# facts, with room left for the table's head and first rows.
TIMELINE_CHART_BOX = (17.0, 8.5)


def timeline_chart(views: list[task_views.TaskView]) -> Picture:
    """Answer the working-time-against-mutu-baku chart of described tasks, fitted to the
    first page."""
    return fitted_picture(timeline_svg(timeline_bars(views)), *TIMELINE_CHART_BOX)


# --------------------------------------------------------------------------- data


def measurement_of(instance: Instance) -> MeasurementSheet:
    """Return the indicator worksheet of the instance's period."""
    return indicators.measurement_sheet(instance.period)


def has_indicators(sheet: MeasurementSheet) -> bool:
    """Does the sheet hold at least one indicator, measurable or not?"""
    return any(section.rows for section in sheet.sections)


def section_of(sheet: MeasurementSheet, section_code: str) -> SectionSheet:
    """Return the sheet of section `section_code`, or raise 404."""
    for section in sheet.sections:
        if section.code == section_code:
            return section
    raise not_found(f"Bagian {section_code!r}")


# Who signs the report as Camat (and any other signature line).
Signatory = signatories.Signatory


@dataclass(frozen=True)
class Signature:
    """The stamp of a signed report: who signed and when, the hash printed on it, and the
    verification link with its QR code (a `data:` URI)."""

    signatory: Signatory
    signed_at: datetime
    sha256: str
    verify_url: str
    qr: str
    # The office certificate whose PAdES signature the file carries, as the stamp names it.
    certificate: str | None = None

    @property
    def zone(self) -> str:
        """The office's time zone as the signing time is printed in it: "WIB"."""
        return self.signed_at.astimezone(office_timezone()).tzname() or ""


def camat_signatory(definition: SopDefinition) -> Signatory | None:
    """Return who signs: the active account holding an actor role of the definition's signing
    step (the oldest, if there are several), or None for a blank signature line."""
    step = definition.signing_step
    roles = step.actors if step else ()
    user = db.session.scalar(
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(roles), User.is_active_account.is_(True))
        .order_by(User.id)
        .limit(1)
    )
    return Signatory(user.full_name, user.nip) if user else None


def timeline_summary(instance: Instance, timeline: dict) -> dict:
    """Sum up how the measurement ran: steps done, returns and their notes, time vs standard."""
    rows = timeline["rows"]
    returned = [
        task
        for task in instance.tasks
        if task.outcome == TaskOutcome.RETURNED and task.status == TaskStatus.DONE
    ]
    return {
        **timeline["totals"],
        "steps_done": sum(1 for row in rows if row["closed_at"] is not None),
        "steps_open": sum(1 for row in rows if row["closed_at"] is None),
        "returned": [
            {"step_no": t.step_no, "closed_at": t.closed_at, "note": t.note} for t in returned
        ],
        "started_at": instance.started_at,
        "completed_at": instance.completed_at,
    }


def _reviewer_notes(sheet: MeasurementSheet) -> dict:
    """The rows with implausible figures and the thresholds, for "Catatan untuk pemeriksa"."""
    return {
        "flagged": indicators.flagged_rows(sheet.sections),
        "plausible": indicators.thresholds(),
    }


def _common(instance: Instance, title: str) -> dict:
    return {"instance": instance, "title": title, "period": instance.period}


# --------------------------------------------------------------------------- documents


WORKSHEET_TITLE = "Kertas Kerja Pengukuran Kinerja"
RECAP_TITLE = "Rekapitulasi Hasil Pengukuran Kinerja"
REPORT_TITLE = "Laporan Hasil Pengukuran Kinerja"
TIMELINE_TITLE = "Waktu Pelaksanaan terhadap Mutu Baku"


def worksheet_pdf(instance: Instance, section_code: str) -> bytes:
    """Render the Kertas Kerja Pengukuran Kinerja of one section (404 for an unknown one)."""
    sheet = measurement_of(instance)
    return _worksheets(instance, sheet, [section_of(sheet, section_code)])


def worksheets_pdf(instance: Instance) -> bytes:
    """Render every section's Kertas Kerja in one PDF, one section per page."""
    sheet = measurement_of(instance)
    return _worksheets(instance, sheet, [section for section in sheet.sections if section.rows])


def _worksheets(instance: Instance, sheet: MeasurementSheet, sections: list) -> bytes:
    definition = routing.definition_for(instance)
    return _render(
        "worksheet.html",
        sections=sections,
        paraf=signatories.paraf_of(definition, "worksheets"),
        heads={s.code: signatories.section_head(s.code, s.name) for s in sections},
        # The scale the predikat come from, when the sheet says it.
        bands=getattr(sheet, "bands", ()),
        **_common(instance, WORKSHEET_TITLE),
    )


def recap_pdf(instance: Instance) -> bytes:
    """Render the Rekapitulasi Hasil Pengukuran Kinerja: every section, the summary, a chart."""
    sheet = measurement_of(instance)
    definition = routing.definition_for(instance)
    return _render(
        "recap.html",
        sheet=sheet,
        paraf=signatories.paraf_of(definition, "recap"),
        acknowledger=signatories.acknowledger(definition, "recap"),
        **_reviewer_notes(sheet),
        chart=achievement_chart(sheet, office()["name"]),
        **_common(instance, RECAP_TITLE),
    )


def report_pdf(instance: Instance, final: bool, signature: Signature | None = None) -> bytes:
    """Render the Laporan Hasil Pengukuran Kinerja; marked KONSEP on every page unless final,
    and stamped with `signature` when it is the signed one."""
    sheet = measurement_of(instance)
    timeline = task_views.timeline(instance, now=signature.signed_at if signature else None)
    summary = timeline_summary(instance, timeline)
    dated = instance.completed_at if instance.status == InstanceStatus.COMPLETED else utcnow()
    signatory = camat_signatory(routing.definition_for(instance))
    if signature is not None:
        # Rendered in the transaction that closes the signing step: report it as closed.
        summary["steps_done"] += summary["steps_open"]
        summary["steps_open"] = 0
        summary["completed_at"] = dated = signature.signed_at
        signatory = signature.signatory
    return _render(
        "report.html",
        sheet=sheet,
        chart=achievement_chart(sheet, office()["name"]),
        summary=summary,
        definition=routing.definition_for(instance),
        draft=not final,
        **_reviewer_notes(sheet),
        signatory=signatory,
        signed_on=dated,
        signature=signature,
        **_common(instance, REPORT_TITLE),
    )


def timeline_pdf(instance: Instance) -> bytes:
    """Render each task's working time against its mutu baku: the chart and the table."""
    now = utcnow()
    timeline = task_views.timeline(instance, now=now)
    return _render(
        "timeline.html",
        rows=timeline["rows"],
        summary=timeline_summary(instance, timeline),
        chart=timeline_chart(task_views.describe_tasks(instance.tasks, now)),
        definition=routing.definition_for(instance),
        landscape=True,
        **_common(instance, TIMELINE_TITLE),
    )


def report_is_final(instance: Instance) -> bool:
    """Is the report past its last step (the instance completed)? A signed report is not
    rendered again at all: `services.signing` keeps its file."""
    return instance.status == InstanceStatus.COMPLETED


def filename_of(title: str, instance: Instance, section_code: str | None = None) -> str:
    """Name a rendered document by its title, section and period: "Kertas Kerja" of seksi
    "pmd" for 2026-Q1 is "kertas-kerja-pmd-2026-Q1.pdf"."""
    parts = [title.lower().replace(" ", "-"), section_code, instance.period]
    return "-".join(p for p in parts if p) + ".pdf"


# --------------------------------------------------------------------------- generated outputs


@dataclass(frozen=True)
class Generator:
    """A document the system renders for a step output: its title and how to render it."""

    title: str
    render: Callable[[Instance], bytes]
    needs_indicators: bool = True


GENERATORS: dict[str, Generator] = {
    "worksheets": Generator(WORKSHEET_TITLE, worksheets_pdf),
    "recap": Generator(RECAP_TITLE, recap_pdf),
    "draft_report": Generator(f"Konsep {REPORT_TITLE}", lambda i: report_pdf(i, final=False)),
    "final_report": Generator(REPORT_TITLE, lambda i: report_pdf(i, final=True)),
    "timeline": Generator(TIMELINE_TITLE, timeline_pdf, needs_indicators=False),
}
register_generators(GENERATORS)
# The signed report (`services.signing`): rendered and stamped only when the Camat signs with
# his password, never by `generate_document`.
SIGNED_REPORT = "signed_report"
register_generators([SIGNED_REPORT], signing=True)


def generate_document(
    task: Task,
    *,
    kind: str,
    actor: User,
    store: BlobStore,
    limit: int,
    ip: str | None = None,
) -> Document:
    """Render the step output `kind` of `task` and attach it as that kind's next version."""
    # The same refusals as an upload, before any rendering: role, open task, known kind.
    step = ensure_can_attach(task, kind, actor, ip)
    if kind in step.signed_outputs:
        raise DomainError(422, "signature_required", kind=kind, step=step.no, task=task.id)
    name = step.generator_of(kind)
    if name is None or name not in GENERATORS:
        generated = [k for k, _ in step.generated_outputs]
        raise DomainError(
            422,
            "not_generated",
            details={"generated": generated},
            kind=kind,
            step=step.no,
        )
    generator = GENERATORS[name]
    instance = task.instance
    if generator.needs_indicators and not has_indicators(measurement_of(instance)):
        raise DomainError(422, "no_indicators", period=instance.period)
    pdf = generator.render(instance)
    return upload_document(
        task,
        kind=kind,
        filename=filename_of(generator.title, instance),
        stream=io.BytesIO(pdf),
        actor=actor,
        store=store,
        limit=limit,
        generated=True,
        ip=ip,
    )


PREVIEW_TITLE = "Pratinjau Kop Surat"


def letterhead_preview_pdf(period: str) -> bytes:
    """Render a page with nothing but the office's letterhead and the signature place, to
    check the office profile before it goes on real documents."""
    return _render("office_preview.html", title=PREVIEW_TITLE, period=period, instance=None)
