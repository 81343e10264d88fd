"""Domain errors and their human messages in Bahasa Indonesia and English.

Services raise `DomainError` with a stable machine `code`; the edges (JSON API,
HTML pages) render the message in the reader's language.
"""

from typing import Any

# code -> (Indonesian, English); `{name}` placeholders are filled from the error's params.
MESSAGES: dict[str, tuple[str, str]] = {
    "bad_request": ("Permintaan tidak dapat dibaca: {reason}", "Malformed request: {reason}"),
    "csrf_failed": (
        "Token keamanan formulir (CSRF) hilang atau kedaluwarsa. Muat ulang halaman, lalu "
        "coba lagi.",
        "The form's CSRF token is missing or expired. Reload the page and try again.",
    ),
    "invalid_scale": (
        "Skala predikat tidak valid: {problems}.",
        "The category scale is not valid: {problems}.",
    ),
    "validation_error": (
        "Data yang dikirim tidak valid.",
        "The data sent is not valid.",
    ),
    "unauthorized": (
        "Silakan masuk terlebih dahulu (token atau sesi).",
        "Authentication required (bearer token or session).",
    ),
    "invalid_credentials": (
        "Nama pengguna atau kata sandi salah.",
        "Wrong username or password.",
    ),
    "invalid_token": (
        "Token tidak dikenal, kedaluwarsa atau sudah dicabut.",
        "The token is unknown, expired or revoked.",
    ),
    "forbidden": ("Anda tidak berwenang melakukan ini.", "You are not allowed to do this."),
    "forbidden_role": (
        "Langkah {step} ({step_name}) hanya dapat dikerjakan oleh: {actors}.",
        "Step {step} ({step_name}) can only be done by: {actors}.",
    ),
    "unknown_role": (
        "Peran tidak dikenal: {roles}. Peran yang ada: {known}.",
        "Unknown role: {roles}. The roles are: {known}.",
    ),
    "not_found": ("{what} tidak ditemukan.", "{what} not found."),
    "method_not_allowed": ("Metode tidak diizinkan.", "Method not allowed."),
    "task_not_open": (
        "Tugas {task} sudah tidak terbuka (sudah dikerjakan).",
        "Task {task} is no longer open (it was already done).",
    ),
    "instance_not_active": (
        "Pengukuran {instance} tidak aktif.",
        "Measurement {instance} is not active.",
    ),
    "stale_version": (
        "Data sudah diubah orang lain (versi {current}, Anda mengirim {sent}). Muat ulang.",
        "Someone else changed this first (version {current}, you sent {sent}). Reload.",
    ),
    "conflict": (
        "Data sudah diubah orang lain pada saat yang sama. Muat ulang dan coba lagi.",
        "Someone else changed this at the same moment. Reload and try again.",
    ),
    "missing_documents": (
        "Langkah {step} belum dapat diselesaikan, dokumen yang belum ada: {kinds}.",
        "Step {step} cannot be finished yet; missing documents: {kinds}.",
    ),
    "decision_required": (
        "Langkah {step} adalah pemeriksaan: pilih setujui atau kembalikan.",
        "Step {step} is a decision: approve or return it.",
    ),
    "not_a_decision": (
        "Langkah {step} bukan pemeriksaan; gunakan selesaikan.",
        "Step {step} is not a decision; complete it instead.",
    ),
    "note_required": (
        "Pengembalian harus disertai arahan (catatan) perbaikan.",
        "A return needs a note (the arahan) saying what to correct.",
    ),
    "invalid_occurred_at": (
        "Waktu kejadian tidak valid: {reason}.",
        "Invalid occurred_at: {reason}.",
    ),
    "invalid_started_at": (
        "Waktu mulai tidak valid: {reason}.",
        "Invalid started_at: {reason}.",
    ),
    "duplicate_instance": (
        "Pengukuran {sop} untuk periode {period} sudah berjalan.",
        "A measurement of {sop} for period {period} is already active.",
    ),
    "invalid_period": (
        "Periode harus berbentuk TTTT atau TTTT-Q1..Q4, bukan {period!r}.",
        "Period must be YYYY or YYYY-Q1..Q4, not {period!r}.",
    ),
    "unknown_sop": ("SOP {sop!r} tidak dikenal.", "Unknown SOP {sop!r}."),
    "unknown_kind": (
        "Jenis dokumen {kind!r} bukan keluaran langkah {step}. Pilihan: {allowed}.",
        "Document kind {kind!r} is not an output of step {step}. Choose one of: {allowed}.",
    ),
    "payload_too_large": (
        "Berkas terlalu besar (maksimal {limit_mb} MB).",
        "File too large (at most {limit_mb} MB).",
    ),
    "unsupported_media_type": (
        "Jenis berkas tidak diterima ({reason}). Diterima: PDF, gambar, dokumen perkantoran.",
        "File type not accepted ({reason}). Accepted: PDF, images, office documents.",
    ),
    "empty_file": ("Berkas kosong.", "The file is empty."),
    "unknown_section": (
        "Seksi {section!r} tidak dikenal.",
        "Unknown section {section!r}.",
    ),
    "unknown_indicator": (
        "Indikator {indicator!r} tidak dikenal.",
        "Unknown indicator {indicator!r}.",
    ),
    "invalid_indicator_code": (
        "Kode indikator {indicator!r} tidak valid: 1–40 huruf, angka, titik, garis bawah atau "
        "tanda hubung.",
        "Invalid indicator code {indicator!r}: 1-40 letters, digits, dots, underscores or hyphens.",
    ),
    "duplicate_indicator": (
        "Indikator dengan kode {indicator!r} sudah ada.",
        "An indicator with code {indicator!r} already exists.",
    ),
    "nothing_to_set": (
        "Kirim target, realisasi, atau keduanya.",
        "Send a target, a realization, or both.",
    ),
    "not_a_number": ("Nilai {field} harus berupa angka.", "The {field} must be a number."),
    "value_not_finite": (
        "Nilai {field} harus angka yang terhingga (bukan NaN atau tak hingga).",
        "The {field} must be a finite number (not NaN or infinity).",
    ),
    "negative_value": (
        "Nilai {field} tidak boleh negatif.",
        "The {field} must not be negative.",
    ),
    "value_too_large": (
        "Nilai {field} terlalu besar (harus di bawah {max}).",
        "The {field} is too large (it must be below {max}).",
    ),
    "value_too_precise": (
        "Nilai {field} paling banyak 4 angka di belakang koma.",
        "The {field} may have at most 4 decimal places.",
    ),
    "realization_on_zero_target": (
        "Target periode {period} bernilai 0, sehingga capaian tidak dapat dihitung: isi target "
        "lebih dari 0, atau kosongkan realisasi.",
        "The target for {period} is 0, so no achievement can be computed: set a target above "
        "0, or leave the realization empty.",
    ),
    "import_invalid": (
        "Impor dibatalkan, tidak ada data yang diubah: {count} baris bermasalah "
        "(lihat details.errors).",
        "Import refused and nothing was changed: {count} bad row(s) (see details.errors).",
    ),
    "import_unreadable": (
        "Data impor tidak dapat dibaca: {reason}.",
        "The import cannot be read: {reason}.",
    ),
    "import_row_not_object": (
        "Baris harus berupa objek dengan indicator, period, realization, target.",
        "A row must be an object with indicator, period, realization, target.",
    ),
    "import_field_missing": ("Kolom {field} wajib diisi.", "The {field} is required."),
    "import_extra_cells": (
        "Baris memiliki {count} sel lebih banyak dari judul kolom (angka dengan koma di "
        "berkas berpemisah koma? Beri tanda kutip, atau pakai pemisah titik koma).",
        "The row has {count} more cell(s) than the header (a number with a comma in a "
        "comma-separated file? Quote it, or separate with semicolons).",
    ),
    "import_no_value": (
        "Baris tidak berisi realisasi maupun target.",
        "The row has neither a realization nor a target.",
    ),
    "import_duplicate_row": (
        "Indikator {indicator} periode {period} sudah ada di baris {first}.",
        "Indicator {indicator} for period {period} is already in row {first}.",
    ),
    "not_generated": (
        "Dokumen {kind!r} langkah {step} tidak dibuat oleh sistem; unggah berkasnya.",
        "Document {kind!r} of step {step} is not generated by the system; upload it instead.",
    ),
    "no_indicators": (
        "Belum ada indikator kinerja untuk periode {period}; dokumen belum dapat dibuat.",
        "There are no performance indicators for period {period}; the document cannot be "
        "generated yet.",
    ),
    "signature_required": (
        "Dokumen {kind!r} langkah {step} dibuat ketika Camat menandatangani laporan dengan kata "
        "sandinya: gunakan Tandatangani laporan (POST /api/v1/tasks/{task}/sign).",
        "Document {kind!r} of step {step} is made when the Camat signs the report with his "
        "password: sign it instead (POST /api/v1/tasks/{task}/sign).",
    ),
    "not_a_signing_step": (
        "Langkah {step} bukan langkah penandatanganan laporan.",
        "Step {step} is not a step that signs the report.",
    ),
    "invalid_password": (
        "Kata sandi salah; laporan tidak ditandatangani.",
        "Wrong password; the report was not signed.",
    ),
    "password_required": (
        "Masukkan kata sandi Anda untuk menandatangani laporan.",
        "Enter your password to sign the report.",
    ),
    "rate_limited": (
        "Terlalu banyak percobaan. Coba lagi nanti.",
        "Too many attempts. Try again later.",
    ),
    "internal_error": (
        "Terjadi kesalahan pada server; sudah dicatat.",
        "Something went wrong on the server; it has been logged.",
    ),
    # Each area of the admin's side keeps its messages in a block of its own below.
    # --- accounts, passwords, sessions ---
    #
    # --- audit export ---
    #
    # --- calendar ---
    #
    # --- office administration (sections, indicators, office profile) ---
    #
    # --- separation of duties, backups ---
    #
    # --- production server (requests, blobs) ---
    # `unsupported_media_type` of a JSON endpoint (variant "json", app/api/blueprint.py).
    "unsupported_media_type/json": (
        "Isi permintaan harus JSON (Content-Type: application/json), bukan {media_type}.",
        "The request body must be JSON (Content-Type: application/json), not {media_type}.",
    ),
    #
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
    """Render the message of `code` (or of its `variant`) in `lang`, tolerating missing
    parameters."""
    # A `variant` picks a more precise wording of the same code, kept as "code/variant".
    variant = params.get("variant")
    key = f"{code}/{variant}" if variant and f"{code}/{variant}" in MESSAGES else code
    indonesian, english = MESSAGES.get(key, (code, code))
    template = english if lang == "en" else indonesian
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def not_found(what: str) -> DomainError:
    """Return the error for a missing object, named in the message."""
    return DomainError(404, "not_found", what=what)
