"""The admin's office pages: the office profile (kop surat) with its logo, the sections and
their heads."""

from flask import flash, make_response, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.errors import DomainError
from app.http import client_ip
from app.services import office as service
from app.web import bp
from app.web.admin import admin_page, admin_required
from app.web.admin.form_errors import place_error

REQUIRED = "Kolom ini wajib diisi."


class OfficeForm(FlaskForm):
    name = StringField("Nama kantor", validators=[DataRequired(REQUIRED), Length(max=200)])
    government = StringField(
        "Pemerintah (baris pertama kop)", validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    address = TextAreaField("Alamat jalan", validators=[DataRequired(REQUIRED), Length(max=300)])
    phone = StringField("Telepon", validators=[Optional(), Length(max=60)])
    email = StringField("E-mail", validators=[Optional(), Length(max=254)])
    website = StringField("Laman web", validators=[Optional(), Length(max=300)])
    city = StringField(
        "Kota (tempat tanda tangan)", validators=[DataRequired(REQUIRED), Length(max=100)]
    )
    base_url = StringField(
        "Alamat publik aplikasi", validators=[DataRequired(REQUIRED), Length(max=300)]
    )
    logo = FileField("Logo (PNG atau JPEG, paling besar 512 KB)")
    remove_logo = BooleanField("Hapus logo")


def _uploaded_logo(form: OfficeForm):
    """The logo change the form asks for: new bytes, None to remove, or UNSET to keep."""
    upload = form.logo.data
    if upload and getattr(upload, "filename", ""):
        return upload.read(service.MAX_LOGO_BYTES + 1)
    if form.remove_logo.data:
        return None
    return service.UNSET


@bp.route("/admin/office", methods=["GET", "POST"])
@admin_required
@admin_page(
    "Profil kantor",
    "nama, alamat, kontak, logo dan alamat publik pada kop surat dan laporan bertanda tangan",
    order=10,
)
def admin_office():
    """Show and edit the office profile, with a preview of the letterhead."""
    profile = service.office_profile()
    form = OfficeForm(data={name: getattr(profile, name) for name in service.TEXT_FIELDS})
    status = 200
    if form.validate_on_submit():
        changes = {name: getattr(form, name).data for name in service.TEXT_FIELDS}
        try:
            service.update_office_profile(
                changes, actor=current_user, logo=_uploaded_logo(form), ip=client_ip()
            )
        except DomainError as error:
            place_error(form, error)
            status = 422
        else:
            flash("Profil kantor disimpan.", "success")
            return redirect(url_for("web.admin_office"))
    elif form.is_submitted():
        status = 422
    return render_template("admin/office/profile.html", form=form, profile=profile), status


@bp.route("/admin/office/preview.pdf")
@admin_required
def admin_office_preview():
    """Show the letterhead as the documents print it, as a PDF."""
    from app.services.reports import letterhead_preview_pdf
    from app.web.indicators import current_quarter

    response = make_response(letterhead_preview_pdf(current_quarter()))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = 'inline; filename="pratinjau-kop-surat.pdf"'
    return response
