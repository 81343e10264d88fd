"""The admin's indicators page: every indicator, retired ones too; add one, edit one, retire
or reactivate it. Targets and realisations per period are typed on the Indikator page."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from app.errors import DomainError
from app.extensions import db
from app.http import client_ip
from app.models import Indicator, IndicatorValue
from app.rendering.format import AGGREGATIONS, POLARITIES
from app.services import indicators as service
from app.services import sections
from app.web import bp
from app.web.admin import admin_page, admin_required
from app.web.admin.form_errors import place_error
from app.web.indicators import current_quarter

CODE = "<string(maxlength=40):code>"
EDITABLE = ("name", "unit", "polarity", "aggregation", "section")


class IndicatorForm(FlaskForm):
    name = StringField(
        "Nama indikator", validators=[DataRequired("Nama wajib diisi."), Length(max=300)]
    )
    unit = StringField("Satuan", validators=[DataRequired("Satuan wajib diisi."), Length(max=40)])
    polarity = SelectField(
        "Polaritas",
        choices=[SelectChoice(code, f"{p.label} ({p.meaning})") for code, p in POLARITIES.items()],
    )
    aggregation = SelectField(
        "Nilai tahunan", choices=[SelectChoice(code, name) for code, name in AGGREGATIONS.items()]
    )
    section = SelectField("Seksi", validators=[DataRequired("Pilih seksi.")])


class IndicatorCreateForm(IndicatorForm):
    code = StringField("Kode", validators=[DataRequired("Kode wajib diisi."), Length(max=40)])


class ActiveForm(FlaskForm):
    active = HiddenField(validators=[AnyOf(["0", "1"])])


def _section_choices() -> list[SelectChoice]:
    return [SelectChoice(s.code, s.name) for s in db.session.scalars(sections.list_sections())]


def _value_counts() -> dict[int, int]:
    rows = db.session.execute(
        sa.select(IndicatorValue.indicator_id, sa.func.count()).group_by(
            IndicatorValue.indicator_id
        )
    )
    return dict(rows.all())


def _list_page(create: IndicatorCreateForm, status: int = 200):
    section = request.args.get("section") or None
    shown = request.args.get("show", "all")
    query = service.list_indicators(section if section else None)
    if shown == "active":
        query = query.where(Indicator.active.is_(True))
    elif shown == "retired":
        query = query.where(Indicator.active.is_(False))
    create.section.choices = _section_choices()
    return render_template(
        "admin/indicators/index.html",
        indicators=db.session.scalars(query).all(),
        create=create,
        sections=create.section.choices,
        section=section,
        shown=shown,
        counts=_value_counts(),
        polarities=POLARITIES,
        aggregations=AGGREGATIONS,
        period=current_quarter(),
    ), status


@bp.route("/admin/indicators", methods=["GET", "POST"])
@admin_required
@admin_page(
    "Indikator",
    "indikator kinerja seksi: tambah, ubah, nonaktifkan; target per periode",
    order=30,
)
def admin_indicators():
    """List every indicator (retired ones too); add one."""
    form = IndicatorCreateForm()
    if not form.is_submitted():
        return _list_page(form)
    form.section.choices = _section_choices()
    status = 422
    if form.validate():
        try:
            indicator = service.create_indicator(
                code=form.code.data.strip(),
                name=form.name.data,
                unit=form.unit.data,
                polarity=form.polarity.data,
                aggregation=form.aggregation.data,
                section=form.section.data,
                actor=current_user,
                ip=client_ip(),
            )
        except DomainError as error:
            status = place_error(form, error)
        else:
            flash(f"Indikator {indicator.code} ditambahkan.", "success")
            return redirect(url_for("web.admin_indicator", code=indicator.code))
    return _list_page(form, status=status)


@bp.route(f"/admin/indicators/{CODE}", methods=["GET", "POST"])
@admin_required
def admin_indicator(code: str):
    """Edit an indicator's name, unit, polarity, aggregation and section."""
    indicator = service.get_indicator(code)
    form = IndicatorForm(
        data={
            "name": indicator.name,
            "unit": indicator.unit,
            "polarity": indicator.polarity.value,
            "aggregation": indicator.aggregation.value,
            "section": indicator.section.code,
        }
    )
    form.section.choices = _section_choices()
    status = 200
    if form.validate_on_submit():
        changes = {name: getattr(form, name).data for name in EDITABLE}
        try:
            service.update_indicator(indicator, changes, actor=current_user, ip=client_ip())
        except DomainError as error:
            status = place_error(form, error)
        else:
            flash(f"Indikator {indicator.code} disimpan.", "success")
            return redirect(url_for("web.admin_indicator", code=indicator.code))
    elif form.is_submitted():
        status = 422
    return render_template(
        "admin/indicators/edit.html",
        indicator=indicator,
        form=form,
        toggle=ActiveForm(formdata=None, data={"active": "0" if indicator.active else "1"}),
        values=service.values_of(indicator),
        period=current_quarter(),
    ), status


@bp.route(f"/admin/indicators/{CODE}/active", methods=["POST"])
@admin_required
def admin_indicator_active(code: str):
    """Retire an indicator (its history stays) or reactivate it."""
    indicator = service.get_indicator(code)
    form = ActiveForm()
    if not form.validate_on_submit():
        raise DomainError(400, "bad_request", reason="formulir")
    active = form.active.data == "1"
    service.update_indicator(indicator, {"active": active}, actor=current_user, ip=client_ip())
    if active:
        flash(f"Indikator {indicator.code} aktif kembali.", "success")
    else:
        flash(
            f"Indikator {indicator.code} dinonaktifkan: nilai lamanya tetap tersimpan, dan "
            "lembar kerja periode baru tidak lagi memuatnya.",
            "success",
        )
    return redirect(url_for("web.admin_indicator", code=indicator.code))
