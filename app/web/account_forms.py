"""The forms of the accounts' pages: one's own password, and the admin's user forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

REQUIRED = "Wajib diisi."


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Kata sandi sekarang", validators=[DataRequired(REQUIRED), Length(max=256)]
    )
    new_password = PasswordField(
        "Kata sandi baru", validators=[DataRequired(REQUIRED), Length(max=256)]
    )
    confirm = PasswordField(
        "Ulangi kata sandi baru",
        validators=[
            DataRequired(REQUIRED),
            EqualTo("new_password", "Kedua isian kata sandi baru tidak sama."),
        ],
    )


class RolesField(SelectMultipleField):
    """The roles as a list of check boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserFieldsForm(FlaskForm):
    """What the admin sets on a user, new or not."""

    full_name = StringField("Nama lengkap", validators=[DataRequired(REQUIRED), Length(max=200)])
    nip = StringField(
        "NIP (18 angka)",
        validators=[Optional(), Regexp(r"^\s*\d{18}\s*$", message="NIP harus 18 angka.")],
    )
    email = StringField(
        "E-mel (opsional)",
        validators=[Optional(), Length(max=254)],
    )
    org_unit = SelectField("Unit kerja", validators=[Optional()], validate_choice=False)
    roles = RolesField(
        "Peran", validators=[DataRequired("Pilih paling sedikit satu peran.")], choices=[]
    )


class NewUserForm(UserFieldsForm):
    username = StringField(
        "Nama pengguna",
        validators=[
            DataRequired(REQUIRED),
            Regexp(
                r"^[a-z0-9][a-z0-9._-]{0,63}$",
                message="Huruf kecil, angka, titik, garis bawah atau tanda hubung (maks. 64).",
            ),
        ],
    )
    password = PasswordField(
        "Kata sandi awal", validators=[DataRequired(REQUIRED), Length(max=256)]
    )


class EditUserForm(UserFieldsForm):
    active = BooleanField("Aktif")


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "Kata sandi baru", validators=[DataRequired(REQUIRED), Length(max=256)]
    )


class ActionForm(FlaskForm):
    """A button that posts (unlock, deactivate, reactivate)."""
