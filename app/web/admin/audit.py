"""The Audit page: the admin filters the trail, reads it a page at a time (newest first),
downloads it through the API's exports, and checks the chain."""

from flask import render_template, request
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional, ValidationError

from app.rendering.format import AUDIT_FILTER_LABELS
from app.services import audit
from app.services.audit.export import FILE_FORMATS
from app.services.audit.query import AuditFilters, event_page, parse_bound
from app.web import bp
from app.web.admin import admin_page, admin_required

PER_PAGE = 50
TOO_LONG = "Terlalu panjang (paling banyak %(max)d karakter)."
EXPORT_LABELS = {"csv": "CSV", "jsonl": "JSON Lines", "pdf": "PDF", "xes": "XES"}


def a_bound(form, field) -> None:
    """Accept a date (or an ISO date and time) as the API does."""
    if field.data:
        try:
            parse_bound(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class AuditFilterForm(FlaskForm):
    """The filters of the page, sent in the address (a GET form, nothing to protect)."""

    class Meta:
        csrf = False

    since = StringField(AUDIT_FILTER_LABELS["since"], validators=[Optional(), a_bound])
    until = StringField(AUDIT_FILTER_LABELS["until"], validators=[Optional(), a_bound])
    actor = StringField(
        AUDIT_FILTER_LABELS["actor"], validators=[Optional(), Length(max=64, message=TOO_LONG)]
    )
    action = StringField(
        AUDIT_FILTER_LABELS["action"], validators=[Optional(), Length(max=64, message=TOO_LONG)]
    )
    object_type = StringField(
        AUDIT_FILTER_LABELS["object_type"],
        validators=[Optional(), Length(max=40, message=TOO_LONG)],
    )
    object_id = StringField(
        AUDIT_FILTER_LABELS["object_id"], validators=[Optional(), Length(max=64, message=TOO_LONG)]
    )

    def query(self) -> dict[str, str]:
        """The filters that are set, as the API's query parameters."""
        return {name: field.data.strip() for name, field in self._fields.items() if field.data}

    def filters(self) -> AuditFilters:
        values = self.query()
        for name in ("since", "until"):
            if name in values:
                values[name] = parse_bound(values[name])
        return AuditFilters(**values)


def _page_number() -> int:
    number = request.args.get("page", 1, type=int)
    return number if 1 <= number <= 1_000_000 else 1


@bp.route("/admin/audit")
@admin_required
@admin_page(
    "Jejak audit",
    "Telusuri, ekspor (CSV, JSON Lines, PDF, XES) dan periksa rantai jejak audit.",
    order=90,
)
def admin_audit(check=None):
    """Show the filtered events, newest first, with the export links and the chain check."""
    form = AuditFilterForm(request.args)
    if request.args and not form.validate():
        return render_template("admin/audit/index.html", form=form, events=None, check=check), 422
    page = _page_number()
    events, total = event_page(form.filters(), page, PER_PAGE, newest_first=True)
    query = form.query()
    return render_template(
        "admin/audit/index.html",
        form=form,
        events=events,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        query=query,
        exports=[(EXPORT_LABELS[fmt], fmt) for fmt in FILE_FORMATS],
        check=check,
    )


@bp.route("/admin/audit/chain")
@admin_required
def admin_audit_chain():
    """Check the chain: the result alone for HTMX, else the whole page with it."""
    check = audit.verify_chain()
    if request.headers.get("HX-Request"):
        return render_template("admin/audit/_chain.html", check=check)
    return admin_audit(check=check)
