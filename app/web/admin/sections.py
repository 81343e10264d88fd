"""The admin's sections page: add a section, rename one, set its head."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.errors import DomainError
from app.extensions import db
from app.http import client_ip
from app.models import Indicator
from app.services import sections as service
from app.web import bp
from app.web.admin import admin_page, admin_required
from app.web.admin.form_errors import place_error

CODE = "<string(maxlength=40):code>"
NAME_REQUIRED = "Nama seksi wajib diisi."


class SectionForm(FlaskForm):
    code = StringField("Kode", validators=[DataRequired("Kode seksi wajib diisi."), Length(max=40)])
    name = StringField("Nama seksi", validators=[DataRequired(NAME_REQUIRED), Length(max=200)])
    head = SelectField("Kepala seksi", validators=[Optional()], validate_choice=False)


class SectionEditForm(FlaskForm):
    name = StringField("Nama seksi", validators=[DataRequired(NAME_REQUIRED), Length(max=200)])
    head = SelectField("Kepala seksi", validators=[Optional()], validate_choice=False)


def _head_choices() -> list[SelectChoice]:
    return [SelectChoice("", "— belum ada —")] + [
        SelectChoice(user.username, f"{user.full_name} ({user.username})")
        for user in service.head_candidates()
    ]


def _indicator_counts() -> dict[int, int]:
    rows = db.session.execute(
        sa.select(Indicator.section_id, sa.func.count()).group_by(Indicator.section_id)
    )
    return dict(rows.all())


def _render(create: SectionForm, edits: dict[str, SectionEditForm] | None = None, status=200):
    sections = db.session.scalars(service.list_sections()).all()
    choices = _head_choices()
    create.head.choices = choices
    forms = {}
    for section in sections:
        form = (edits or {}).get(section.code)
        if form is None:
            form = SectionEditForm(
                formdata=None,
                prefix=section.code,
                data={"name": section.name, "head": section.head.username if section.head else ""},
            )
        form.head.choices = choices
        forms[section.code] = form
    return render_template(
        "admin/sections/index.html",
        sections=sections,
        forms=forms,
        create=create,
        counts=_indicator_counts(),
    ), status


@bp.route("/admin/sections", methods=["GET", "POST"])
@admin_required
@admin_page("Seksi", "seksi kantor, pemilik indikator, dan kepala seksinya", order=20)
def admin_sections():
    """List the sections; add one."""
    form = SectionForm(prefix="new")
    if not form.is_submitted():
        return _render(form)
    form.head.choices = _head_choices()
    status = 422
    if form.validate():
        try:
            section = service.create_section(
                code=form.code.data.strip(),
                name=form.name.data,
                head=form.head.data or None,
                actor=current_user,
                ip=client_ip(),
            )
        except DomainError as error:
            status = place_error(form, error)
        else:
            flash(f"Seksi {section.name} ditambahkan.", "success")
            return redirect(url_for("web.admin_sections"))
    return _render(form, status=status)


@bp.route(f"/admin/sections/{CODE}", methods=["POST"])
@admin_required
def admin_section_update(code: str):
    """Rename a section and/or set its head."""
    section = service.get_section(code)
    form = SectionEditForm(prefix=section.code)
    form.head.choices = _head_choices()
    status = 422
    if form.validate():
        try:
            service.update_section(
                section,
                {"name": form.name.data, "head": form.head.data or None},
                actor=current_user,
                ip=client_ip(),
            )
        except DomainError as error:
            status = place_error(form, error)
        else:
            flash(f"Seksi {section.name} disimpan.", "success")
            return redirect(url_for("web.admin_sections"))
    return _render(SectionForm(formdata=None, prefix="new"), {section.code: form}, status)
