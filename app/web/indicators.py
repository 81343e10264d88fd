"""The indicators page: each section's indicators for a period, their capaian and predikat,
edited in place (admin, anggota), and the import of an e-Kinerja export."""

from dataclasses import dataclass, replace
from decimal import Decimal

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.errors import DomainError, render_message
from app.http import client_ip, refuse, request_language
from app.models import utcnow
from app.rendering.format import POLARITIES, format_period, input_text
from app.services import indicators as service
from app.services.office_calendar import office_timezone
from app.services.periods import is_period, parse_period, periods_for, quarter_of, validate_period
from app.web import bp
from app.web.forms import IndicatorImportForm, IndicatorValueForm

CODE = "<string(maxlength=40):code>"
PERIOD = "<string(maxlength=20):period>"
# The services name fields in English (the API's names); the page speaks Indonesian.
FIELD_LABELS = {
    "indicator": "indikator",
    "period": "periode",
    "target": "target",
    "realization": "realisasi",
}


# --- formatting --------------------------------------------------------------------------


def current_quarter() -> str:
    """The office's current quarter, "2026-Q4"."""
    return quarter_of(utcnow().astimezone(office_timezone()))


def period_choices(selected: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The picker's periods: each year around this one (and the selected one's), then its
    quarters."""
    this_year = parse_period(current_quarter()).year
    years = {y for y in range(this_year - 2, this_year + 2) if is_period(str(y))}
    years.add(parse_period(selected).year)
    return [
        (str(year), [(p, format_period(p)) for p in periods_for(str(year))])
        for year in sorted(years, reverse=True)
    ]


def localized(error: DomainError) -> str:
    """The error's message in the reader's language, naming fields the page's way."""
    lang = request_language()
    params = dict(error.params)
    if lang == "id" and params.get("field") in FIELD_LABELS:
        params["field"] = FIELD_LABELS[params["field"]]
    return render_message(error.code, lang, **params)


# --- a row of the sheet ------------------------------------------------------------------


@dataclass(frozen=True)
class RowView:
    """One indicator's row as the page shows it: the typed (or stored) texts of its inputs,
    the stored values they started from, and the capaian of what is typed."""

    code: str
    name: str
    unit: str
    polarity: str
    target: Decimal | None
    realization: Decimal | None
    target_text: str
    realization_text: str
    original_target: str
    original_realization: str
    achievement: service.Achievement | None  # None when what is typed cannot be computed
    error: str | None = None
    status: str | None = None  # "saved" or "unsaved"
    # After a save, an input whose text no longer says what is stored is rewritten.
    refresh_inputs: tuple[str, ...] = ()
    # What looks implausible about these figures (indicators.plausibility), shown beside them.
    flags: tuple[service.Flag, ...] = ()

    @classmethod
    def stored(cls, code, name, unit, polarity, target, realization, achievement) -> "RowView":
        """The row of stored values, as the page first shows it."""
        return cls(
            code=code,
            name=name,
            unit=unit,
            polarity=str(polarity),
            target=target,
            realization=realization,
            target_text=input_text(target),
            realization_text=input_text(realization),
            original_target=input_text(target),
            original_realization=input_text(realization),
            achievement=achievement,
            flags=tuple(service.implausibilities(target, realization, achievement.value)),
        )

    @classmethod
    def of_sheet(cls, row: service.WorksheetRow) -> "RowView":
        return cls.stored(
            row.code,
            row.name,
            row.unit,
            row.polarity,
            row.target,
            row.realization,
            row.achievement,
        )


@dataclass(frozen=True)
class Typed:
    """A row as posted: its texts, and the stored values the page showed."""

    target: str
    realization: str
    original_target: str | None
    original_realization: str | None

    @classmethod
    def from_form(cls, form: IndicatorValueForm) -> "Typed":
        return cls(
            target=(form.target.data or "").strip(),
            realization=(form.realization.data or "").strip(),
            original_target=form.original_target.data,
            original_realization=form.original_realization.data,
        )

    def row(self, indicator, **fields) -> RowView:
        """The row showing these texts for `indicator`."""
        return RowView(
            code=indicator.code,
            name=indicator.name,
            unit=indicator.unit,
            polarity=indicator.polarity.value,
            target=None,
            realization=None,
            target_text=self.target,
            realization_text=self.realization,
            original_target=self.original_target or "",
            original_realization=self.original_realization or "",
            **{"achievement": None, **fields},
        )

    def values(self) -> dict[str, Decimal | None]:
        """Read the typed target and realisation (422 naming the field for a bad one)."""
        return {
            "target": read_value(self.target, "target"),
            "realization": read_value(self.realization, "realization"),
        }

    def changes(self, values: dict[str, Decimal | None]) -> dict[str, Decimal | None]:
        """The values the user changed from what the page showed; only those are saved, so
        a value someone else stored meanwhile, or a year figure made of its quarters, is not
        overwritten by a row that merely showed it."""
        shown = {"target": self.original_target, "realization": self.original_realization}
        return {name: value for name, value in values.items() if value != _shown(shown[name])}


def read_value(text: str, name: str) -> Decimal | None:
    """Read a typed value ("91,25" or "91.25"); empty is no value. Refuse (422, naming the
    field) what is not a number a value may be."""
    if not text:
        return None
    number = service.parse_number_text(text)
    if number is None:
        raise DomainError(422, "not_a_number", details={"field": name}, field=name)
    return service.check_value(number, name)


UNKNOWN = object()


def _shown(text: str | None) -> Decimal | None | object:
    """The stored value the page showed, or UNKNOWN when the post does not say (a client
    without the hidden fields saves every field it sends)."""
    if text is None:
        return UNKNOWN
    if not text.strip():
        return None
    number = service.parse_number_text(text)
    return UNKNOWN if number is None else number


def _can_edit() -> bool:
    return current_user.has_role(*service.writer_roles())


# --- rendering ---------------------------------------------------------------------------


def _page_query() -> tuple[str, str | None, str | None]:
    """Read the period and section of the query string; nonsense falls back to the current
    quarter and every section, with a message."""
    period = (request.args.get("period") or "").strip() or current_quarter()
    section = (request.args.get("section") or "").strip() or None
    problem = None
    try:
        validate_period(period)
    except DomainError as error:
        problem = localized(error)
        period = current_quarter()
    return period, section, problem


def render_page(
    period: str,
    section: str | None,
    *,
    problem: str | None = None,
    override: RowView | None = None,
    import_form: IndicatorImportForm | None = None,
    import_errors: list[dict] | None = None,
    import_problem: str | None = None,
    status: int = 200,
):
    """Render the indicators of `period` (of one section when given): the whole page, or
    only the sheet when HTMX asks for it."""
    sheet = service.measurement_sheet(period)
    sections = sheet.sections
    if section is not None:
        chosen = sheet.section(section)
        if chosen is None:
            problem = problem or localized(DomainError(422, "unknown_section", section=section))
            section = None
            status = 422 if status == 200 else status
        else:
            sections = [chosen]
    if problem and status == 200:
        status = 422
    rows = {
        s.code: [
            override if override and override.code == r.code else RowView.of_sheet(r)
            for r in s.rows
        ]
        for s in sections
    }
    partial = request.headers.get("HX-Request") and not request.headers.get(
        "HX-History-Restore-Request"
    )
    form = import_form or IndicatorImportForm(formdata=None)
    form.period.data, form.section.data = period, section or ""
    response = make_response(
        render_template(
            "indicators/_sheet.html" if partial else "indicators/index.html",
            sheet=sheet,
            sections=sections,
            rows=rows,
            period=period,
            section=section,
            problem=problem,
            can_edit=_can_edit(),
            period_choices=period_choices(period),
            import_form=form,
            import_errors=import_errors,
            import_problem=import_problem,
            **_helpers(),
        ),
        status,
    )
    response.headers["Vary"] = "HX-Request"
    response.headers["Cache-Control"] = "no-store"
    return response


def _helpers() -> dict:
    return {
        "polarities": POLARITIES,
    }


def render_row(
    row: RowView,
    period: str,
    status: int = 200,
    sheet: service.MeasurementSheet | None = None,
    section: str | None = None,
):
    """Answer a row's partial, its computed cells marked to be swapped in out of band (the
    inputs are never swapped, so nothing typed meanwhile is lost); after a save, the
    section's summary and the overall one too."""
    html = render_template(
        "indicators/_row_response.html",
        row=row,
        period=period,
        can_edit=True,
        oob=True,
        sheet=sheet,
        summary=sheet.section(section) if sheet and section else None,
        **_helpers(),
    )
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the routes --------------------------------------------------------------------------


@bp.route("/indicators")
@login_required
def indicators():
    """Show each section's indicators for a period (the current quarter unless `period` is
    given), of one section when `section` is given, with the summaries."""
    period, section, problem = _page_query()
    return render_page(period, section, problem=problem)


def _back_to_page(period: str, code: str | None = None):
    section = request.args.get("section") or None
    target = url_for("web.indicators", period=period, section=section)
    return redirect(target + (f"#ind-{code}" if code else ""))


@bp.route(f"/indicators/{CODE}/values/{PERIOD}/preview", methods=["POST"])
@login_required
def preview_indicator_value(code: str, period: str):
    """Work out the capaian and predikat of a row as typed, without saving anything."""
    indicator = service.get_indicator(code)
    typed = Typed.from_form(form := IndicatorValueForm())
    try:
        if not _can_edit():
            raise DomainError(403, "forbidden")
        if not form.validate_on_submit():
            raise DomainError(422, "bad_request", reason=_form_problem(form))
        validate_period(period)
        values = typed.values()
        # What a save would refuse is said while typing, not only on saving.
        service.refuse_realization_on_zero_target(values["target"], values["realization"], period)
        changed = bool(typed.changes(values))
    except DomainError as error:
        return render_row(
            typed.row(indicator, error=localized(error), status="unsaved"), period, error.status
        )
    result = service.achievement(
        values["target"], values["realization"], indicator.polarity, service.current_bands()
    )
    flags = tuple(service.implausibilities(values["target"], values["realization"], result.value))
    return render_row(
        typed.row(
            indicator, achievement=result, status="unsaved" if changed else "saved", flags=flags
        ),
        period,
    )


def _form_problem(form) -> str:
    return "; ".join(e for errors in form.errors.values() for e in errors)


@bp.route(f"/indicators/{CODE}/values/{PERIOD}", methods=["POST"])
@login_required
def save_indicator_value(code: str, period: str):
    """Save what the user changed in a row (target and/or realisation) and answer the row,
    its section's summary and the overall one."""
    indicator = service.get_indicator(code)
    typed = Typed.from_form(form := IndicatorValueForm())
    htmx = bool(request.headers.get("HX-Request"))
    try:
        if not form.validate_on_submit():
            raise DomainError(422, "bad_request", reason=_form_problem(form))
        validate_period(period)
        values = typed.values()
        changes = typed.changes(values)
        if changes:
            figures = service.set_value(
                indicator, period, actor=current_user, ip=client_ip(), **changes
            )
    except DomainError as error:
        refuse(error)
        row = typed.row(indicator, error=localized(error), status="unsaved")
        if htmx:
            return render_row(row, period, error.status)
        return render_page(
            period if is_period(period) else current_quarter(),
            request.args.get("section") or None,
            override=row,
            status=error.status,
        )
    if not changes:
        if htmx:
            return "", 204
        flash(f"{indicator.code}: tidak ada perubahan.", "info")
        return _back_to_page(period, indicator.code)
    if not htmx:
        flash(f"{indicator.code} periode {period} tersimpan.", "success")
        return _back_to_page(period, indicator.code)
    row = RowView.stored(
        indicator.code,
        indicator.name,
        indicator.unit,
        indicator.polarity.value,
        figures.target,
        figures.realization,
        figures.achievement,
    )
    # An input left saying something other than what is stored now (a value someone else
    # stored meanwhile, a cleared year figure that falls back to its quarters) is rewritten.
    stored = {"target": figures.target, "realization": figures.realization}
    stale = tuple(name for name, value in values.items() if value != stored[name])
    row = replace(row, status="saved", refresh_inputs=stale)
    sheet = service.measurement_sheet(period)
    return render_row(row, period, sheet=sheet, section=indicator.section.code)


@bp.route("/indicators/import", methods=["POST"])
@login_required
def import_indicator_values():
    """Apply a CSV or JSON file of targets and realisations, all or nothing; a refused file
    lists every bad row on the page."""
    form = IndicatorImportForm()
    period = form.period.data if is_period(form.period.data or "") else current_quarter()
    section = form.section.data or None
    if not form.validate_on_submit():
        return render_page(
            period,
            section,
            import_form=form,
            import_problem=_form_problem(form),
            status=422,
        )
    upload = form.file.data
    try:
        rows, source = service.rows_from_file(upload.filename, upload.read())
        result = service.import_values(rows, actor=current_user, source=source, ip=client_ip())
    except service.ImportRejected as rejected:
        refuse(rejected)
        return render_page(
            period,
            section,
            import_form=form,
            import_errors=[_row_error(e) for e in rejected.errors],
            status=rejected.status,
        )
    except DomainError as error:
        refuse(error)
        return render_page(
            period, section, import_form=form, import_problem=localized(error), status=error.status
        )
    flash(
        f"{result.applied} baris diterapkan ({result.created} baru, {result.updated} diperbarui).",
        "success",
    )
    return redirect(url_for("web.indicators", period=period, section=section))


def _row_error(error: service.RowError) -> dict:
    message = localized(DomainError(422, error.code, **error.params))
    return {
        "row": error.row,
        "line": error.line,
        "field": FIELD_LABELS.get(error.field or "", error.field or "—"),
        "message": message,
    }


# --- the measurement's documents ---------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """A document of a measurement the measurement page offers: its name and its files."""

    label: str
    pdf: str
    xlsx: str | None = None


@bp.app_template_global()
def measurement_downloads(instance) -> list[Download]:
    """The measurement's documents to download: each section's kertas kerja and the recap as
    PDF and spreadsheet, the report and the timeline as PDF."""
    sheet = service.measurement_sheet(instance.period)
    key = {"instance_id": instance.id}
    downloads = [
        Download(
            f"Kertas kerja {section.name}",
            url_for("reports.get_worksheet", section=section.code, **key),
            url_for("reports.get_worksheet_xlsx", section=section.code, **key),
        )
        for section in sheet.sections
        if section.rows
    ]
    downloads.append(
        Download(
            "Rekapitulasi hasil pengukuran",
            url_for("reports.get_recap", **key),
            url_for("reports.get_recap_xlsx", **key),
        )
    )
    downloads.append(Download("Laporan hasil pengukuran", url_for("reports.get_report", **key)))
    downloads.append(
        Download("Waktu pelaksanaan terhadap mutu baku", url_for("reports.get_timeline_pdf", **key))
    )
    return downloads
