"""The forms of the pages (Flask-WTF: every form carries its CSRF token)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp, ValidationError

from app.services.periods import is_period


def a_period(form, field) -> None:
    """Accept what the period module accepts: YYYY or YYYY-Q1..Q4, years 2000 to 2100."""
    if not is_period(field.data):
        raise ValidationError("Gunakan TTTT atau TTTT-Q1 sampai TTTT-Q4 (tahun 2000–2100).")


class LoginForm(FlaskForm):
    username = StringField("Nama pengguna", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Kata sandi", validators=[DataRequired(), Length(max=256)])


class MoveForm(FlaskForm):
    """Complete a step, or approve / return a review."""

    decision = HiddenField(
        validators=[
            Optional(),
            AnyOf(["approve", "return"], message="Pilih setujui atau kembalikan."),
        ]
    )
    note = TextAreaField("Catatan / arahan", validators=[Optional(), Length(max=4000)])
    version = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$")])


class UploadForm(FlaskForm):
    kind = SelectField("Jenis dokumen", validators=[DataRequired()], validate_choice=False)
    file = FileField("Berkas", validators=[FileRequired("Pilih berkas yang akan diunggah.")])


class GenerateForm(FlaskForm):
    """Have the system render one of a step's outputs."""

    kind = StringField(validators=[DataRequired(), Length(max=200)])


class SignForm(FlaskForm):
    """Sign the report, confirming with one's own password."""

    password = PasswordField("Kata sandi Anda", validators=[DataRequired(), Length(max=256)])
    version = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$")])


class StartForm(FlaskForm):
    sop = SelectField("SOP", validators=[DataRequired()], validate_choice=False)
    period = StringField(
        "Periode",
        validators=[DataRequired(), a_period],
    )
    title = StringField("Judul (opsional)", validators=[Optional(), Length(max=300)])


class LogoutForm(FlaskForm):
    pass


VALUE_TOO_LONG = "Nilai terlalu panjang (paling banyak 40 karakter)."


class IndicatorValueForm(FlaskForm):
    """One indicator's row: the typed target and realisation, and the values the page showed
    (so that only what the user changed is saved)."""

    target = StringField("Target", validators=[Optional(), Length(max=40, message=VALUE_TOO_LONG)])
    realization = StringField(
        "Realisasi", validators=[Optional(), Length(max=40, message=VALUE_TOO_LONG)]
    )
    original_target = HiddenField(validators=[Optional(), Length(max=40)])
    original_realization = HiddenField(validators=[Optional(), Length(max=40)])


class IndicatorImportForm(FlaskForm):
    """A CSV, XLSX or JSON file of targets and realisations; the page's period and section to
    return to."""

    file = FileField(
        "Berkas CSV, Excel (.xlsx) atau JSON",
        validators=[
            FileRequired("Pilih berkas CSV, Excel (.xlsx) atau JSON yang akan diimpor."),
            FileAllowed(
                ["csv", "xlsx", "json"],
                "Hanya berkas .csv, .xlsx atau .json yang dapat diimpor.",
            ),
        ],
    )
    period = HiddenField(validators=[Optional(), Length(max=20)])
    section = HiddenField(validators=[Optional(), Length(max=40)])
