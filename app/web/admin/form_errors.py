"""Showing a service's refusal on an admin form, under the field it names."""

from flask_wtf import FlaskForm

from app.errors import DomainError
from app.http import refuse, request_language


def place_error(form: FlaskForm, error: DomainError) -> int:
    """Mark the request refused and show `error` under the field its details name (or
    above the form when it names none); answer the status the page answers with."""
    refuse(error)
    field = (error.details or {}).get("field")
    target = getattr(form, field, None) if field else None
    message = error.message(request_language())
    (target.errors if target is not None else form.form_errors).append(message)
    return error.status
