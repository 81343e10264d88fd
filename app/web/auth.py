"""Sign in and out of the pages, and change one's own password."""

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from app.auth import SESSION_KEY, current_session_key, sign_in
from app.errors import DomainError
from app.http import client_ip, refuse
from app.services import accounts
from app.services.sessions import end_session
from app.web import bp
from app.web.account_forms import ChangePasswordForm
from app.web.forms import LoginForm, LogoutForm

# The pages a user whose password an admin set may open before he changes it.
OPEN_WHILE_CHANGE_REQUIRED = frozenset({"web.change_password", "web.logout", "web.login"})


def _safe_next(target: str | None) -> str:
    """Follow ?next= only within this site."""
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("web.board")


@bp.before_request
def _send_to_password_change():
    """Send a user whose password an admin set to *Ganti kata sandi* first."""
    if request.endpoint in OPEN_WHILE_CHANGE_REQUIRED:
        return None
    if current_user.is_authenticated and current_user.password_change_required:
        return redirect(url_for("web.change_password"))
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form, and sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("web.board"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.username.data, form.password.data, ip=client_ip())
        except DomainError as error:
            refuse(error)
            form.password.errors.append(error.message("id"))
            status = error.status
        else:
            accounts.record_login(user, ip=client_ip())
            sign_in(user, ip=client_ip())
            flash(f"Selamat datang, {user.full_name.rstrip('.')}.", "success")
            if user.password_change_required:
                return redirect(url_for("web.change_password"))
            return redirect(_safe_next(request.args.get("next")))
    elif form.is_submitted():
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out: the session ends on the server too, so no copy of its cookie works."""
    form = LogoutForm()
    if form.validate_on_submit():
        end_session(current_session_key())
        logout_user()
        session.pop(SESSION_KEY, None)
        flash("Anda telah keluar.", "info")
    return redirect(url_for("web.login"))


# Where each refusal of a password change shows, on the form.
PASSWORD_FIELDS = {"current_password": "current_password", "new_password": "new_password"}


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Show the *Ganti kata sandi* form, and change one's password; the other sessions and
    tokens end."""
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            accounts.change_own_password(
                current_user,
                current_password=form.current_password.data,
                new_password=form.new_password.data,
                keep_session=current_session_key(),
                ip=client_ip(),
            )
        except DomainError as error:
            refuse(error)
            field = (error.details or {}).get("field")
            target = form.current_password if field == "current_password" else form.new_password
            target.errors.append(error.message("id"))
            status = error.status
        else:
            flash("Kata sandi diganti. Sesi dan token Anda yang lain telah diakhiri.", "success")
            return redirect(url_for("web.board"))
    elif form.is_submitted():
        status = 422
    return render_template(
        "auth/password.html", form=form, required=current_user.password_change_required
    ), status
