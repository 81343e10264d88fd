"""Sign in and out of the pages."""

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.errors import DomainError
from app.extensions import limiter
from app.http import client_ip, refuse
from app.services import accounts
from app.web import bp
from app.web.forms import LoginForm, LogoutForm


def _safe_next(target: str | None) -> str:
    """Follow ?next= only within this site."""
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("web.board")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURE_LIMIT"],
    methods=["POST"],
    deduct_when=lambda response: response.status_code == 401,
)
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
            form.password.errors.append("Nama pengguna atau kata sandi salah.")
            status = 401
        else:
            accounts.record_login(user, ip=client_ip())
            login_user(user)
            flash(f"Selamat datang, {user.full_name.rstrip('.')}.", "success")
            return redirect(_safe_next(request.args.get("next")))
    elif form.is_submitted():
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out."""
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        flash("Anda telah keluar.", "info")
    return redirect(url_for("web.login"))
