"""Domain errors and their human messages, from the one catalogue (translations/).

Services raise `DomainError` with a stable machine `code`; the edges (JSON API,
HTML pages) render the message in the reader's language.

`MESSAGES` maps each code to its English message, the catalogue's msgid; the Indonesian
is in translations/id/LC_MESSAGES/messages.po. To add a code, write
`"code": ("Indonesian", "English"),` in your area's block below and run
`python -m app.i18n_tools adopt`: it makes the English the `N_()` msgid and moves the
Indonesian into the catalogue (README, "Adding a message"). Until then the pair works as
it is, but tests/test_i18n_catalogue.py fails.
"""

from typing import Any

from app.i18n import N_, translate

# code -> English msgid (or a not yet adopted (Indonesian, English) pair); `{name}`
# placeholders are filled from the error's params, the same names in both languages.
MESSAGES: dict[str, str | tuple[str, str]] = {
    "bad_request": N_("Malformed request: {reason}"),
    "csrf_failed": N_(
        "The form's CSRF token is missing or expired. Reload the page and try again."
    ),
    "invalid_scale": N_("The category scale is not valid: {problems}."),
    "validation_error": N_("The data sent is not valid."),
    "unauthorized": N_("Authentication required (bearer token or session)."),
    "invalid_credentials": N_("Wrong username or password."),
    "invalid_token": N_("The token is unknown, expired or revoked."),
    "forbidden": N_("You are not allowed to do this."),
    "forbidden_role": N_("Step {step} ({step_name}) can only be done by: {actors}."),
    "unknown_role": N_("Unknown role: {roles}. The roles are: {known}."),
    "not_found": N_("{what} not found."),
    "method_not_allowed": N_("Method not allowed."),
    "task_not_open": N_("Task {task} is no longer open (it was already done)."),
    "instance_not_active": N_("Measurement {instance} is not active."),
    "stale_version": N_(
        "Someone else changed this first (version {current}, you sent {sent}). Reload."
    ),
    "conflict": N_("Someone else changed this at the same moment. Reload and try again."),
    "missing_documents": N_("Step {step} cannot be finished yet; missing documents: {kinds}."),
    "decision_required": N_("Step {step} is a decision: approve or return it."),
    "not_a_decision": N_("Step {step} is not a decision; complete it instead."),
    "note_required": N_("A return needs a note (the arahan) saying what to correct."),
    "invalid_occurred_at": N_("Invalid occurred_at: {reason}."),
    "invalid_started_at": N_("Invalid started_at: {reason}."),
    "duplicate_instance": N_("A measurement of {sop} for period {period} is already active."),
    "invalid_period": N_("Period must be YYYY or YYYY-Q1..Q4, not {period!r}."),
    "unknown_sop": N_("Unknown SOP {sop!r}."),
    "unknown_kind": N_(
        "Document kind {kind!r} is not an output of step {step}. Choose one of: {allowed}."
    ),
    "payload_too_large": N_("File too large (at most {limit_mb} MB)."),
    "unsupported_media_type": N_(
        "File type not accepted ({reason}). Accepted: PDF, images, office documents."
    ),
    "empty_file": N_("The file is empty."),
    "unknown_section": N_("Unknown section {section!r}."),
    "unknown_indicator": N_("Unknown indicator {indicator!r}."),
    "invalid_indicator_code": N_(
        "Invalid indicator code {indicator!r}: 1-40 letters, digits, dots, underscores or hyphens."
    ),
    "duplicate_indicator": N_("An indicator with code {indicator!r} already exists."),
    "nothing_to_set": N_("Send a target, a realization, or both."),
    "not_a_number": N_("The {field} must be a number."),
    "value_not_finite": N_("The {field} must be a finite number (not NaN or infinity)."),
    "negative_value": N_("The {field} must not be negative."),
    "value_too_large": N_("The {field} is too large (it must be below {max})."),
    "value_too_precise": N_("The {field} may have at most 4 decimal places."),
    "realization_on_zero_target": N_(
        "The target for {period} is 0, so no achievement can be computed: set a target above "
        "0, or leave the realization empty."
    ),
    "import_invalid": N_(
        "Import refused and nothing was changed: {count} bad row(s) (see details.errors)."
    ),
    "import_unreadable": N_("The import cannot be read: {reason}."),
    "import_row_not_object": N_(
        "A row must be an object with indicator, period, realization, target."
    ),
    "import_field_missing": N_("The {field} is required."),
    "import_extra_cells": N_(
        "The row has {count} more cell(s) than the header (a number with a comma in a "
        "comma-separated file? Quote it, or separate with semicolons)."
    ),
    "import_no_value": N_("The row has neither a realization nor a target."),
    "import_duplicate_row": N_(
        "Indicator {indicator} for period {period} is already in row {first}."
    ),
    "not_generated": N_(
        "Document {kind!r} of step {step} is not generated by the system; upload it instead."
    ),
    "no_indicators": N_(
        "There are no performance indicators for period {period}; the document cannot be "
        "generated yet."
    ),
    "signature_required": N_(
        "Document {kind!r} of step {step} is made when the Camat signs the report with his "
        "password (POST /api/v1/tasks/{task}/sign), or is the scan of the report signed in "
        "ink (upload it with signed_on_paper=true)."
    ),
    "not_a_signing_step": N_("Step {step} is not a step that signs the report."),
    "invalid_password": N_("Wrong password; nothing was changed."),
    "password_required": N_("Enter your password to sign the report."),
    "report_changed": N_(
        "The report's content changed while it was being signed (an indicator value, the "
        "office profile or the signer's details); nothing was saved. Check the report and "
        "sign again."
    ),
    "rate_limited": N_("Too many attempts. Try again later."),
    "internal_error": N_("Something went wrong on the server; it has been logged."),
    # Each area of the admin's side keeps its messages in a block of its own below.
    # --- accounts, passwords, sessions ---
    "weak_password": N_(
        "The password is refused: {reasons}. Use at least {minimum} characters that are hard "
        "to guess, e.g. a few unrelated words."
    ),
    "password_unchanged": N_("The new password is the same as the current one; choose another."),
    "password_change_required": N_(
        "Change the password the admin gave you first (POST /api/v1/me/password)."
    ),
    "account_locked": N_(
        "The account is locked after too many failed sign-ins, until {until}. An admin can "
        "unlock it sooner."
    ),
    "invalid_nip": N_("The NIP must be 18 digits, not {nip!r}."),
    "duplicate_user": N_("A user with this {field} already exists: {value!r}."),
    "unknown_org_unit": N_("Unknown unit {unit!r}."),
    "own_account": N_("An admin cannot deactivate his own account or drop his own admin role."),
    "no_roles": N_("Choose at least one role."),
    # --- audit export ---
    "too_many_events": N_(
        "This range holds {count} audit events, more than the {limit} one PDF can print. "
        "Choose a narrower date range or add filters, or export CSV or JSON Lines instead."
    ),
    #
    # --- calendar ---
    "calendar_invalid": N_(
        "The holiday list was refused and nothing was changed: {count} bad row(s) "
        "(see details.errors)."
    ),
    "calendar_year_out_of_range": N_("Year {year} is outside 2000-2100."),
    "calendar_year_unknown": N_(
        "The office has no holiday list for {year} yet: name its source first."
    ),
    "calendar_source_required": N_(
        "Name the source of the holiday list (e.g. that year's SKB 3 Menteri)."
    ),
    "calendar_source_too_long": N_("The holiday list's source may have at most 500 characters."),
    "calendar_csv_unreadable": N_(
        "The CSV file cannot be read: {reason}. Columns: date,name,kind."
    ),
    "holiday_outside_year": N_("The date {date} is not in {year}."),
    "holiday_duplicate": N_("The date {date} is already in row {first}."),
    "holiday_taken": N_("The date {date} is already a day off ({name})."),
    "holiday_bad_date": N_("The date must be YYYY-MM-DD, not {value!r}."),
    "holiday_bad_name": N_("The holiday's name is required (at most 200 characters)."),
    "holiday_bad_kind": N_("The kind must be holiday or cuti_bersama, not {value!r}."),
    # --- office administration (sections, indicators, office profile) ---
    "office_field_required": N_("The {field} is required."),
    "office_field_too_long": N_("The {field} is too long (at most {max} characters)."),
    "invalid_email": N_("Not a valid e-mail address (e.g. kecamatan@purbalinggakab.go.id)."),
    "invalid_phone": N_(
        "A telephone number holds only digits, spaces, +, -, dots, slashes and brackets."
    ),
    "invalid_url": N_("The {field} must be a full web address starting with http:// or https://."),
    "logo_too_large": N_("The logo file is too large (at most {limit_kb} KB)."),
    "logo_not_an_image": N_("The logo must be a PNG or JPEG image."),
    "logo_too_big_picture": N_("The logo picture is too big (at most {max} pixels a side)."),
    "invalid_logo_encoding": N_("The logo must be sent as base64 or a data:image/...;base64, URI."),
    "invalid_section_code": N_(
        "Invalid section code {section!r}: 1-40 lower-case letters, digits, dots, underscores "
        "or hyphens, starting with a letter or digit."
    ),
    "duplicate_section": N_("A unit with code {section!r} already exists."),
    "unknown_user": N_("User {username!r} is unknown or inactive."),
    "section_name_required": N_("The section needs a name."),
    "indicator_field_invalid": N_("The indicator's {field} is not valid."),
    #
    # --- separation of duties, backups ---
    "self_review": N_(
        "Separation of duties: you {verb} step {by_step} in this round yourself, so you "
        "cannot decide step {step}; another {actors} must decide it."
    ),
    #
    # --- signing: on paper, the office's digital signature, verification ---
    "not_a_signed_kind": N_(
        "Only the signed report can be recorded as signed on paper; {kind!r} of step {step} "
        "is not it."
    ),
    "signed_at_without_paper": N_(
        "signed_at is only for a report signed on paper (signed_on_paper=true)."
    ),
    "invalid_signed_at": N_("Invalid signed_at: {reason}."),
    "invalid_signed_at/format": N_(
        "signed_at must be a date and time (for example 2026-03-02 09:30)."
    ),
    "paper_scan_type": N_(
        "The scan of the ink-signed report must be a PDF, PNG or JPEG ({filename})."
    ),
    "finished_before_paper_signature": N_(
        "The step cannot finish before the report was signed on paper ({signed_at})."
    ),
    "scan_already_recorded": N_(
        "This scan is already recorded as the signed report of period {period}; upload the "
        "right report's scan."
    ),
    "paper_scan_required": N_("Choose the scan of the signed report."),
    "signing_certificate_unavailable": N_(
        "The office's signing certificate cannot be read; the report was not signed. Ask the "
        "admin (SIGNING_CERT_FILE and SIGNING_CERT_PASSWORD)."
    ),
    #
    # --- production server (requests, blobs) ---
    # `unsupported_media_type` of a JSON endpoint (variant "json", app/api/blueprint.py).
    "unsupported_media_type/json": N_(
        "The request body must be JSON (Content-Type: application/json), not {media_type}."
    ),
    #
    # --- analytics (Kinerja SOP) ---
    "analytics_range_reversed": N_(
        "The until date ({until}) must come after the since date ({since})."
    ),
    # --- end of analytics ---
}


class DomainError(Exception):
    """A refused request: an HTTP status, a stable code, and the facts for the message.

    A refusal changes nothing: the edge rolls the request back. `keep_changes` is for the
    refusal whose own audit event must stay (a wrong password): the edge commits instead,
    so the service raising it must have written that event and nothing else.
    """

    def __init__(
        self,
        status: int,
        code: str,
        details: dict[str, Any] | None = None,
        *,
        keep_changes: bool = False,
        **params: Any,
    ):
        super().__init__(code)
        self.status = status
        self.code = code
        self.details = details
        self.keep_changes = keep_changes
        self.params = params

    def message(self, lang: str = "id") -> str:
        """Render the human message in `lang` ("id" or "en")."""
        return render_message(self.code, lang, **self.params)

    def __str__(self) -> str:
        return f"{self.code}: {self.message('en')}"


def render_message(code: str, lang: str = "id", **params: Any) -> str:
    """Render the message of `code` (or of its `variant`) in `lang` ("id" or "en"),
    tolerating missing parameters."""
    lang = "en" if lang == "en" else "id"
    # A `variant` picks a more precise wording of the same code, kept as "code/variant".
    variant = params.get("variant")
    key = f"{code}/{variant}" if variant and f"{code}/{variant}" in MESSAGES else code
    entry = MESSAGES.get(key, code)
    if isinstance(entry, tuple):
        template = entry[1] if lang == "en" else entry[0]
    else:
        template = translate(entry, lang)
    values = {name: _in(lang, value) for name, value in params.items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


class Phrase:
    """A message's parameter that is itself text of the catalogue (a verb, a list of
    problems), rendered in the language of the message that holds it.

    `Phrase(N_("finished"))`; `Phrase(N_("a"), N_("b"), separator="; ")` joins several;
    `Phrase(N_("Task {task}"), task=5)` fills its own placeholders."""

    def __init__(self, *messages: str, separator: str = "; ", **params: Any):
        self.messages = messages
        self.separator = separator
        self.params = params

    def render(self, lang: str = "id") -> str:
        """The phrase in `lang`."""
        parts = []
        for message in self.messages:
            text = translate(message, lang)
            try:
                parts.append(text.format(**self.params) if self.params else text)
            except (KeyError, IndexError, ValueError):
                parts.append(text)
        return self.separator.join(parts)

    def __str__(self) -> str:
        return self.render("id")

    def __repr__(self) -> str:
        return f"Phrase{self.messages!r}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Phrase) and (self.messages, self.separator, self.params) == (
            other.messages,
            other.separator,
            other.params,
        )

    def __hash__(self) -> int:
        return hash((self.messages, self.separator))


def _in(lang: str, value: Any) -> Any:
    return value.render(lang) if isinstance(value, Phrase) else value


def not_found(what: str | Phrase) -> DomainError:
    """Return the error for a missing object, named in the message."""
    return DomainError(404, "not_found", what=what)
