"""Reports: the measurement's documents as PDF, rendered with xhtml2pdf from templates.

Kertas kerja per section, the recap, the draft and final report, and the timeline against
the mutu baku. Each renders `templates/reports/<name>.html` with the office letterhead,
"Halaman X dari Y" in a footer frame, and DejaVu Sans embedded from `app/reports/fonts`
(so Indonesian text and signs such as ≥ print the same on every server, whatever fonts
it has). Charts are SVG drawn here or in `diagrams`, embedded as `data:` images, which
xhtml2pdf draws through svglib as vectors.

Generated documents count as step outputs: a step's `generated_outputs` names the
generator of a kind, and `generate_document` renders it and attaches it as the next
version of that kind, exactly like an upload.
"""

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import sqlalchemy as sa
from flask import current_app, render_template
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

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
from app.services import indicators, routing
from app.services.diagrams import TimelineBar, svg_data_uri, timeline_svg
from app.services.documents import BlobStore, upload_document
from app.services.indicators import MeasurementSheet, SectionSheet
from app.services.office_calendar import office_timezone
from app.services.sop_definitions import SopDefinition, register_generators

FONT_DIR = Path(__file__).resolve().parent.parent / "reports" / "fonts"
FONT_FAMILY = "DejaVu Sans"
FONT_FILES = {"normal": FONT_DIR / "DejaVuSans.ttf", "bold": FONT_DIR / "DejaVuSans-Bold.ttf"}

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
QUARTERS = {"1": "I", "2": "II", "3": "III", "4": "IV"}
POLARITIES = {"positive": "Positif", "negative": "Negatif"}
# Why an indicator has no achievement, as `indicators.achievement` says it.
REASONS = {
    "target_missing": "target belum diisi",
    "target_zero": "target bernilai 0",
    "realization_missing": "realisasi belum diisi",
}
DASH = "–"


# --------------------------------------------------------------------------- formatting


def format_number(value: Decimal | int | float | None, places: int | None = None) -> str:
    """Write a number the Indonesian way, "1.234,5", with `places` decimals when given."""
    if value is None:
        return DASH
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        return DASH
    if places is None:
        number = number.normalize()
    else:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{number:,f}"
    if number.is_zero():
        text = text.lstrip("-")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_percent(value: Decimal | None) -> str:
    """Write an achievement with two decimals, "91,25"; a dash when there is none."""
    return format_number(value, places=2)


def format_date(value: date | datetime | None) -> str:
    """Write a date the Indonesian way, "24 November 2026" (an instant in the office's zone)."""
    if value is None:
        return DASH
    if isinstance(value, datetime):
        value = value.astimezone(office_timezone())
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_datetime(value: datetime | None) -> str:
    """Write an instant in the office's zone: "2 Maret 2026 07.30"."""
    if value is None:
        return DASH
    local = value.astimezone(office_timezone())
    return f"{format_date(local)} {local:%H.%M}"


def format_duration(minutes: int | None) -> str:
    """Write working minutes as "2 jam 05 menit" or "45 menit"."""
    if minutes is None:
        return DASH
    hours, rest = divmod(int(minutes), 60)
    return f"{format_number(hours)} jam {rest:02d} menit" if hours else f"{rest} menit"


def format_standard(standard) -> str:
    """Write a mutu baku as the SOP states it: "15 menit", "2 hari kerja"."""
    return f"{standard.value} {'menit' if standard.unit == 'minute' else 'hari kerja'}"


def format_period(period: str) -> str:
    """Name a period: "2026-Q1" is "Triwulan I Tahun 2026", "2026" is "Tahun 2026"."""
    year, _, quarter = period.partition("-Q")
    if quarter in QUARTERS:
        return f"Triwulan {QUARTERS[quarter]} Tahun {year}"
    return f"Tahun {year}"


def format_nip(nip: str | None) -> str:
    """Group an 18-digit NIP as printed on letters: "19700312 199003 1 005"."""
    if not nip:
        return ""
    if len(nip) == 18 and nip.isdigit():
        return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    return nip


FORMATTERS = {
    "num": format_number,
    "pct": format_percent,
    "tanggal": format_date,
    "waktu": format_datetime,
    "durasi": format_duration,
    "mutu_baku": format_standard,
    "periode": format_period,
    "nip": format_nip,
    "polaritas": lambda polarity: POLARITIES.get(str(polarity), str(polarity)),
    "alasan": lambda reason: REASONS.get(str(reason), str(reason)),
}


# --------------------------------------------------------------------------- rendering


class RenderError(RuntimeError):
    """xhtml2pdf could not render a template: a bug in the template, not in the request."""


@cache
def _register_chart_fonts() -> None:
    """Let svglib draw the charts' "DejaVu Sans" with the bundled files, not the system's."""
    from svglib.fonts import register_font

    register_font(FONT_FAMILY, str(FONT_FILES["normal"]), rlgFontName="SakipDejaVuSans")
    register_font(
        FONT_FAMILY, str(FONT_FILES["bold"]), weight="bold", rlgFontName="SakipDejaVuSans-Bold"
    )


def _policy() -> ResourceAccessPolicy:
    # The templates are ours, but they carry text the office typed (indicator names): read
    # nothing but the bundled fonts and the document's own data: URIs, fetch nothing.
    return ResourceAccessPolicy.server(FONT_DIR, allow_remote=False)


def office() -> dict[str, str]:
    """The letterhead: the government, the office, its address and city, from the config."""
    config = current_app.config
    return {
        "government": config["OFFICE_GOVERNMENT"],
        "name": config["OFFICE_NAME"],
        "address": config["OFFICE_ADDRESS"],
        "city": config["OFFICE_CITY"],
    }


def render_pdf(template: str, **context) -> bytes:
    """Render `templates/reports/<template>` to PDF bytes."""
    _register_chart_fonts()
    html = render_template(
        f"reports/{template}",
        fonts={style: path.as_posix() for style, path in FONT_FILES.items()},
        office=office(),
        printed_at=utcnow(),
        **FORMATTERS,
        **context,
    )
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8", resource_policy=_policy())
    if result.err:
        raise RenderError(f"xhtml2pdf could not render {template} ({result.err} errors)")
    return out.getvalue()


# --------------------------------------------------------------------------- charts


CHART_BAR = "#2f5d8a"
CHART_TOTAL = "#1b3652"
CHART_GRID = "#c5ccd6"
CHART_INK = "#1f2933"
CHART_MUTED = "#5b6675"


def _wrap(text: str, width: int) -> list[str]:
    """Break `text` into at most two lines of about `width` characters."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
        if len(lines[1]) > width:
            lines[1] = lines[1][: width - 1].rstrip() + "…"
    return lines


@dataclass(frozen=True)
class ChartBar:
    """One bar of the achievement chart: a section, or the whole office (`total`)."""

    label: str
    value: Decimal | None
    category: str
    total: bool = False


def achievement_chart_svg(bars: Sequence[ChartBar], title: str) -> str:
    """Draw achievement (capaian, %) as horizontal bars against a dashed line at 100 %,
    with each value and predikat in a column of its own."""
    label_w, plot_w, value_w, row_h, top = 200, 280, 150, 34, 26
    values = [float(b.value) for b in bars if b.value is not None]
    axis_max = max(120, 20 * math.ceil(max(values, default=0) / 20))
    scale = plot_w / axis_max
    left = label_w + 10
    values_x = left + plot_w + 12
    bottom = top + row_h * len(bars)
    width, height = values_x + value_w, bottom + 40

    def text(x: float, y: float, content: str, size: float, **attrs: object) -> str:
        attrs.setdefault("fill", CHART_INK)
        extra = "".join(f" {k.replace('_', '-')}={quoteattr(str(v))}" for k, v in attrs.items())
        return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}"{extra}>{escape(content)}</text>'

    parts = [
        text(0, 13, title, 12, font_weight="bold"),
        text(values_x, 13, "Capaian · predikat", 10, fill=CHART_MUTED),
    ]
    for tick in range(0, axis_max + 1, 20):
        x = left + tick * scale
        if tick == 100:
            style = f'stroke="{CHART_INK}" stroke-width="1.3" stroke-dasharray="5 3"'
        elif tick == 0:
            style = f'stroke="{CHART_INK}" stroke-width="1.2"'
        else:
            style = f'stroke="{CHART_GRID}" stroke-width="0.8"'
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{bottom}" {style}/>')
        parts.append(text(x, bottom + 14, str(tick), 9.5, text_anchor="middle", fill=CHART_MUTED))
    parts.append(
        text(
            left + plot_w / 2,
            bottom + 31,
            "capaian (%); garis putus-putus: target 100 %",
            9.5,
            text_anchor="middle",
            fill=CHART_MUTED,
        )
    )
    for i, bar in enumerate(bars):
        mid = top + i * row_h + row_h / 2
        lines = _wrap(bar.label, 30)
        first = mid - 6.5 * (len(lines) - 1) + 4
        weight = {"font_weight": "bold"} if bar.total else {}
        for n, line in enumerate(lines):
            parts.append(text(label_w, first + 13 * n, line, 11, text_anchor="end", **weight))
        if bar.value is None:
            parts.append(text(values_x, mid + 4, "tidak dapat diukur", 10.5, fill=CHART_MUTED))
            continue
        bar_w = max(0.0, min(float(bar.value), axis_max) * scale)
        fill = CHART_TOTAL if bar.total else CHART_BAR
        parts.append(
            f'<rect x="{left}" y="{mid - 9:.1f}" width="{bar_w:.1f}" height="18" fill="{fill}"/>'
        )
        label = f"{format_percent(bar.value)} % · {bar.category}"
        parts.append(text(values_x, mid + 4, label, 10.5, **weight))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}"'
        f' height="{height}" viewBox="0 0 {width} {height}" font-family={quoteattr(FONT_FAMILY)}>'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )


def achievement_chart(sheet: MeasurementSheet, office_name: str) -> str:
    """Answer the achievement-by-section chart of `sheet` as a data URI."""
    bars = [ChartBar(s.name, s.average, s.category.label) for s in sheet.sections if s.rows]
    bars.append(ChartBar(f"{office_name} (keseluruhan)", sheet.average, sheet.category.label, True))
    return svg_data_uri(achievement_chart_svg(bars, "Capaian kinerja per bagian"))


def timeline_chart(rows: list[dict]) -> str:
    """Answer the working-time-against-mutu-baku chart of timeline rows as a data URI."""
    bars = [
        TimelineBar(
            label=f"Langkah {row['step_no']}"
            + (f" (putaran {row['iteration']})" if row["iteration"] > 1 else ""),
            standard_minutes=row["standard_minutes"],
            working_minutes=row["working_minutes"],
            late=bool(row["late"]) or row["overdue"],
            open=row["closed_at"] is None,
        )
        for row in rows
    ]
    return svg_data_uri(timeline_svg(bars, title="Waktu kerja per langkah dibanding mutu baku"))


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


@dataclass(frozen=True)
class Signatory:
    """Who signs the report as Camat."""

    full_name: str
    nip: str | None


@dataclass(frozen=True)
class Signature:
    """The stamp of a signed report: who signed and when, the hash printed on it, and the
    verification link with its QR code (a `data:` URI)."""

    signatory: Signatory
    signed_at: datetime
    sha256: str
    verify_url: str
    qr: str

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
    return render_pdf(
        "worksheet.html",
        sections=sections,
        # The scale the predikat come from, when the sheet says it.
        bands=getattr(sheet, "bands", ()),
        **_common(instance, WORKSHEET_TITLE),
    )


def recap_pdf(instance: Instance) -> bytes:
    """Render the Rekapitulasi Hasil Pengukuran Kinerja: every section, the summary, a chart."""
    sheet = measurement_of(instance)
    return render_pdf(
        "recap.html",
        sheet=sheet,
        chart=achievement_chart(sheet, office()["name"]),
        **_common(instance, RECAP_TITLE),
    )


def report_pdf(instance: Instance, final: bool, signature: Signature | None = None) -> bytes:
    """Render the Laporan Hasil Pengukuran Kinerja; marked DRAFT on every page unless final,
    and stamped with `signature` when it is the signed one."""
    sheet = measurement_of(instance)
    timeline = routing.timeline(instance, now=signature.signed_at if signature else None)
    summary = timeline_summary(instance, timeline)
    dated = instance.completed_at if instance.status == InstanceStatus.COMPLETED else utcnow()
    signatory = camat_signatory(routing.definition_for(instance))
    if signature is not None:
        # Rendered in the transaction that closes the signing step: report it as closed.
        summary["steps_done"] += summary["steps_open"]
        summary["steps_open"] = 0
        summary["completed_at"] = dated = signature.signed_at
        signatory = signature.signatory
    return render_pdf(
        "report.html",
        sheet=sheet,
        chart=achievement_chart(sheet, office()["name"]),
        summary=summary,
        definition=routing.definition_for(instance),
        draft=not final,
        signatory=signatory,
        signed_on=dated,
        signature=signature,
        **_common(instance, REPORT_TITLE),
    )


def timeline_pdf(instance: Instance) -> bytes:
    """Render each task's working time against its mutu baku: the chart and the table."""
    timeline = routing.timeline(instance)
    return render_pdf(
        "timeline.html",
        rows=timeline["rows"],
        summary=timeline_summary(instance, timeline),
        chart=timeline_chart(timeline["rows"]),
        definition=routing.definition_for(instance),
        landscape=True,
        **_common(instance, TIMELINE_TITLE),
    )


def report_is_final(instance: Instance) -> bool:
    """Is the report past its last step (the instance completed)? A signed report is not
    rendered again at all: `services.signing` keeps its file."""
    return instance.status == InstanceStatus.COMPLETED


def filename_of(title: str, instance: Instance, section_code: str | None = None) -> str:
    """Name a rendered document: "rekapitulasi-hasil-pengukuran-kinerja-2026-Q1.pdf"."""
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
    "draft_report": Generator(f"Draft {REPORT_TITLE}", lambda i: report_pdf(i, final=False)),
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
    step = routing.step_of(task)
    # The same refusals as an upload, before any rendering: role, open task, known kind.
    routing.ensure_can_act(task, step, actor, version=None)
    if kind not in step.outputs:
        raise DomainError(
            422,
            "unknown_kind",
            details={"allowed": list(step.outputs)},
            kind=kind,
            step=step.no,
            allowed=", ".join(step.outputs),
        )
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
