"""The admin's calendar page: each year's days off (list, add, edit, remove, import a CSV
file) and the source of the year's list, every change audited with old and new values."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.errors import DomainError
from app.http import client_ip, refuse
from app.models import HolidayKind, utcnow
from app.services import holiday_lists
from app.services.office_calendar import office_timezone
from app.web import bp
from app.web.admin import admin_page, admin_required

YEAR = "<int(min=2000, max=2100):year>"
HOLIDAY = "<int(min=1, max=2147483647):holiday_id>"
KIND_CHOICES = [
    SelectChoice(HolidayKind.LIBUR_NASIONAL.value, "Libur nasional"),
    SelectChoice(HolidayKind.CUTI_BERSAMA.value, "Cuti bersama"),
]
REQUIRED = "Wajib diisi."


class SourceForm(FlaskForm):
    source = TextAreaField(
        "Sumber daftar",
        validators=[DataRequired(REQUIRED), Length(max=500, message="Paling banyak 500 karakter.")],
    )


class HolidayForm(FlaskForm):
    day = DateField("Tanggal", validators=[DataRequired("Isi tanggal (TTTT-BB-HH).")])
    name = StringField(
        "Nama",
        validators=[DataRequired(REQUIRED), Length(max=200, message="Paling banyak 200 karakter.")],
    )
    kind = SelectField("Jenis", choices=KIND_CHOICES, validators=[DataRequired(REQUIRED)])
    estimated = BooleanField("Tanggal perkiraan")

    def entry(self) -> holiday_lists.HolidayEntry:
        return holiday_lists.HolidayEntry(
            day=self.day.data,
            name=" ".join(self.name.data.split()),
            kind=HolidayKind(self.kind.data),
            estimated=bool(self.estimated.data),
        )


class CalendarImportForm(FlaskForm):
    source = StringField(
        "Sumber daftar",
        validators=[DataRequired(REQUIRED), Length(max=500, message="Paling banyak 500 karakter.")],
    )
    file = FileField("Berkas CSV", validators=[FileRequired("Pilih berkas CSV yang akan diimpor.")])


def _this_year() -> int:
    return utcnow().astimezone(office_timezone()).year


def _page(year: int, status: int = 200, **forms):
    """Render the year's page, with the forms given (carrying their errors) or fresh ones."""
    calendar = holiday_lists.year_calendar(year)
    known = holiday_lists.known_years()
    this_year = _this_year()
    years = sorted({*known, this_year, this_year + 1, year})
    source_form = forms.get("source_form") or SourceForm(source=calendar.source or "")
    edit_forms = {
        row.id: HolidayForm(
            prefix=f"h{row.id}",
            formdata=None,
            day=row.day,
            name=row.name,
            kind=row.kind.value,
            estimated=row.estimated,
        )
        for row in calendar.holidays
    }
    edit_forms.update(forms.get("edit_forms", {}))
    context = {
        "calendar": calendar,
        "years": years,
        "known_years": set(known),
        "source_form": source_form,
        "add_form": forms.get("add_form") or HolidayForm(prefix="add", formdata=None),
        "edit_forms": edit_forms,
        "import_form": forms.get("import_form")
        or CalendarImportForm(formdata=None, source=calendar.source or ""),
        "import_errors": forms.get("import_errors", []),
    }
    return render_template("admin/calendar/index.html", **context), status


def _back(year: int, message: str):
    flash(message, "success")
    return redirect(url_for("web.admin_calendar", year=year))


def _refused(error: DomainError, field) -> None:
    """Show a refusal under `field`, and roll the request back."""
    refuse(error)
    if isinstance(error, holiday_lists.HolidaysRejected):
        field.errors.extend(e.as_dict("id")["message"] for e in error.errors)
    else:
        field.errors.append(error.message("id"))


@bp.route("/admin/calendar")
@admin_required
@admin_page(
    "Kalender kerja",
    "Hari libur nasional dan cuti bersama per tahun, dengan sumbernya; impor CSV.",
    order=40,
)
def admin_calendar():
    """Show one year's days off and the forms that change them."""
    year = request.args.get("year", type=int) or _this_year()
    if not holiday_lists.FIRST_YEAR <= year <= holiday_lists.LAST_YEAR:
        year = _this_year()
    return _page(year)


@bp.route(f"/admin/calendar/{YEAR}/source", methods=["POST"])
@admin_required
def admin_calendar_source(year: int):
    """Name the source of a year's list (a year not yet known becomes known)."""
    form = SourceForm()
    if form.validate_on_submit():
        try:
            holiday_lists.set_source(year, form.source.data, actor=current_user, ip=client_ip())
        except DomainError as error:
            _refused(error, form.source)
        else:
            return _back(year, f"Sumber daftar hari libur tahun {year} disimpan.")
    return _page(year, 422, source_form=form)


@bp.route(f"/admin/calendar/{YEAR}/holidays", methods=["POST"])
@admin_required
def admin_calendar_add(year: int):
    """Add a day off to a year's list."""
    form = HolidayForm(prefix="add")
    if form.validate_on_submit():
        try:
            holiday_lists.add_holiday(year, form.entry(), actor=current_user, ip=client_ip())
        except DomainError as error:
            _refused(error, form.day)
        else:
            return _back(year, f"Hari libur {form.day.data:%d-%m-%Y} ditambahkan.")
    return _page(year, 422, add_form=form)


@bp.route(f"/admin/calendar/holidays/{HOLIDAY}", methods=["POST"])
@admin_required
def admin_calendar_edit(holiday_id: int):
    """Change a day off."""
    holiday = holiday_lists.get_holiday(holiday_id)
    year = holiday.year
    form = HolidayForm(prefix=f"h{holiday_id}")
    if form.validate_on_submit():
        try:
            holiday_lists.update_holiday(holiday, form.entry(), actor=current_user, ip=client_ip())
        except DomainError as error:
            _refused(error, form.day)
        else:
            return _back(year, "Hari libur diubah.")
    return _page(year, 422, edit_forms={holiday_id: form})


@bp.route(f"/admin/calendar/holidays/{HOLIDAY}/delete", methods=["POST"])
@admin_required
def admin_calendar_remove(holiday_id: int):
    """Remove a day off: it becomes working time."""
    holiday = holiday_lists.get_holiday(holiday_id)
    year, label = holiday.year, f"{holiday.day:%d-%m-%Y} ({holiday.name})"
    form = FlaskForm()
    if not form.validate_on_submit():
        flash("Token keamanan formulir kedaluwarsa; coba lagi.", "error")
        return redirect(url_for("web.admin_calendar", year=year))
    holiday_lists.remove_holiday(holiday, actor=current_user, ip=client_ip())
    return _back(year, f"Hari libur {label} dihapus.")


@bp.route(f"/admin/calendar/{YEAR}/import", methods=["POST"])
@admin_required
def admin_calendar_import(year: int):
    """Replace a year's list with a CSV file's rows, all or none."""
    form = CalendarImportForm()
    errors: list[dict] = []
    if form.validate_on_submit():
        try:
            entries = holiday_lists.entries_from_csv(form.file.data.read(), year)
            calendar = holiday_lists.replace_year(
                year,
                source=form.source.data,
                holidays=entries,
                actor=current_user,
                ip=client_ip(),
                how="csv",
            )
        except holiday_lists.HolidaysRejected as rejected:
            refuse(rejected)
            errors = [e.as_dict("id") for e in rejected.errors]
            form.file.errors.append(rejected.message("id"))
        except DomainError as error:
            _refused(error, form.file)
        else:
            return _back(
                year, f"Daftar hari libur tahun {year} diganti: {len(calendar.holidays)} hari."
            )
    return _page(year, 422, import_form=form, import_errors=errors)
