"""The admin's users pages: list, create, edit, deactivate and reactivate, reset a password,
unlock an account. Thin adapters over app.services.users."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from app.errors import DomainError
from app.extensions import db
from app.http import client_ip, refuse
from app.models import OrgUnit
from app.services import lockouts, users
from app.services.accounts import known_roles
from app.web import bp
from app.web.account_forms import ActionForm, EditUserForm, NewUserForm, ResetPasswordForm
from app.web.admin import admin_page, admin_required

USERNAME = "<string(maxlength=64):username>"


def _actor() -> users.Actor:
    return users.Actor(current_user._get_current_object(), client_ip())


def _choices(form) -> None:
    form.roles.choices = [SelectChoice(role, role) for role in sorted(known_roles())]
    units = db.session.scalars(sa.select(OrgUnit).order_by(OrgUnit.name)).all()
    form.org_unit.choices = [SelectChoice("", "— tidak ada —")] + [
        SelectChoice(u.code, u.name) for u in units
    ]


def _show_refusal(form, error: DomainError) -> int:
    """Put a service's refusal on the form's field it concerns (or above the form)."""
    refuse(error)
    name = (error.details or {}).get("field")
    field = getattr(form, name, None) if name else None
    if field is None:
        form.form_errors.append(error.message("id"))
    else:
        field.errors = [*field.errors, error.message("id")]
    return error.status


def _fields_of(form) -> dict:
    return {
        "full_name": form.full_name.data.strip(),
        "nip": form.nip.data or None,
        "email": form.email.data or None,
        "org_unit": form.org_unit.data or None,
        "roles": list(form.roles.data),
    }


@bp.route("/admin/users")
@admin_required
@admin_page("Pengguna", "akun, peran, kata sandi dan kunci akun", order=10)
def admin_users():
    """List every user with his roles and state."""
    rows = [
        (user, lockouts.locked_until(user.username))
        for user in db.session.scalars(users.users_query())
    ]
    return render_template("admin/users/index.html", rows=rows)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@admin_required
def admin_new_user():
    """Create a user; he changes the initial password at his first sign-in."""
    form = NewUserForm()
    _choices(form)
    status = 200
    if form.validate_on_submit():
        try:
            user = users.register_user(
                _actor(),
                username=form.username.data,
                password=form.password.data,
                **_fields_of(form),
            )
        except DomainError as error:
            status = _show_refusal(form, error)
        else:
            flash(
                f"Pengguna {user.username} dibuat. Ia harus mengganti kata sandi awalnya "
                "saat pertama masuk.",
                "success",
            )
            return redirect(url_for("web.admin_users"))
    elif form.is_submitted():
        status = 422
    return render_template("admin/users/new.html", form=form), status


def _edit_page(user, form=None, password_form=None, status=200):
    if form is None:
        form = EditUserForm(
            obj=user,
            data={
                "org_unit": user.org_unit.code if user.org_unit else "",
                "roles": sorted(user.roles),
                "active": user.is_active_account,
            },
        )
        _choices(form)
    page = render_template(
        "admin/users/edit.html",
        user=user,
        form=form,
        password_form=password_form or ResetPasswordForm(),
        action_form=ActionForm(),
        locked_until=lockouts.locked_until(user.username),
    )
    return page, status


@bp.route(f"/admin/users/{USERNAME}", methods=["GET", "POST"])
@admin_required
def admin_edit_user(username: str):
    """Show a user and change his name, NIP, e-mail, unit and roles."""
    user = users.get_user(username)
    if not (form := EditUserForm()).is_submitted():
        return _edit_page(user)
    _choices(form)
    if not form.validate():
        return _edit_page(user, form=form, status=422)
    try:
        users.update_user(_actor(), user, _fields_of(form))
    except DomainError as error:
        status = _show_refusal(form, error)
        return _edit_page(user, form=form, status=status)
    flash(f"Data pengguna {user.username} disimpan.", "success")
    return redirect(url_for("web.admin_edit_user", username=user.username))


@bp.route(f"/admin/users/{USERNAME}/password", methods=["POST"])
@admin_required
def admin_reset_password(username: str):
    """Set a new password for a user, who must change it at his next sign-in."""
    user = users.get_user(username)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return _edit_page(user, password_form=form, status=422)
    try:
        users.update_user(_actor(), user, {"password": form.password.data})
    except DomainError as error:
        status = _show_refusal(form, error)
        return _edit_page(user, password_form=form, status=status)
    flash(
        f"Kata sandi {user.username} diatur ulang; sesi dan tokennya diakhiri, dan ia harus "
        "menggantinya saat masuk.",
        "success",
    )
    return redirect(url_for("web.admin_edit_user", username=user.username))


@bp.route(f"/admin/users/{USERNAME}/active/<any(on, off):state>", methods=["POST"])
@admin_required
def admin_set_active(username: str, state: str):
    """Deactivate a user (his sessions and tokens end) or reactivate him."""
    user = users.get_user(username)
    if ActionForm().validate_on_submit():
        try:
            users.update_user(_actor(), user, {"active": state == "on"})
        except DomainError as error:
            refuse(error)
            flash(error.message("id"), "error")
        else:
            done = (
                "diaktifkan kembali"
                if state == "on"
                else "dinonaktifkan; sesi dan tokennya diakhiri"
            )
            flash(f"Pengguna {user.username} {done}.", "success")
    return redirect(url_for("web.admin_edit_user", username=user.username))


@bp.route(f"/admin/users/{USERNAME}/unlock", methods=["POST"])
@admin_required
def admin_unlock_user(username: str):
    """Unlock an account locked after failed sign-ins."""
    user = users.get_user(username)
    if ActionForm().validate_on_submit():
        users.unlock_user(_actor(), user)
        flash(f"Kunci akun {user.username} dibuka.", "success")
    return redirect(url_for("web.admin_edit_user", username=user.username))
