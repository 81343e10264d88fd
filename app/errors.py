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
        "Skala predikat tidak valid: {masalah}.",
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
        "sandinya (POST /api/v1/tasks/{task}/sign), atau berupa pindaian laporan yang "
        "ditandatangani di atas kertas (unggah dengan signed_on_paper=true).",
        "Document {kind!r} of step {step} is made when the Camat signs the report with his "
        "password (POST /api/v1/tasks/{task}/sign), or is the scan of the report signed in "
        "ink (upload it with signed_on_paper=true).",
    ),
    "not_a_signing_step": (
        "Langkah {step} bukan langkah penandatanganan laporan.",
        "Step {step} is not a step that signs the report.",
    ),
    "invalid_password": (
        "Kata sandi salah; tidak ada yang diubah.",
        "Wrong password; nothing was changed.",
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
    "weak_password": (
        "Kata sandi ditolak: {reasons}. Gunakan paling sedikit {minimum} karakter yang sulit "
        "ditebak, misalnya beberapa kata yang tidak berhubungan.",
        "The password is refused: {reasons}. Use at least {minimum} characters that are hard "
        "to guess, e.g. a few unrelated words.",
    ),
    "password_unchanged": (
        "Kata sandi baru sama dengan yang sekarang; pilih kata sandi lain.",
        "The new password is the same as the current one; choose another.",
    ),
    "password_change_required": (
        "Ganti dulu kata sandi yang diberikan admin (POST /api/v1/me/password).",
        "Change the password the admin gave you first (POST /api/v1/me/password).",
    ),
    "account_locked": (
        "Akun dikunci sementara karena terlalu banyak percobaan masuk yang gagal, sampai "
        "{until}. Hubungi admin untuk membukanya lebih awal.",
        "The account is locked after too many failed sign-ins, until {until}. An admin can "
        "unlock it sooner.",
    ),
    "invalid_nip": (
        "NIP harus 18 angka, bukan {nip!r}.",
        "The NIP must be 18 digits, not {nip!r}.",
    ),
    "duplicate_user": (
        "Sudah ada pengguna dengan {field} {value!r}.",
        "A user with this {field} already exists: {value!r}.",
    ),
    "unknown_org_unit": ("Unit kerja {unit!r} tidak dikenal.", "Unknown unit {unit!r}."),
    "own_account": (
        "Admin tidak dapat menonaktifkan akunnya sendiri atau mencabut peran admin-nya sendiri.",
        "An admin cannot deactivate his own account or drop his own admin role.",
    ),
    "no_roles": ("Pilih paling sedikit satu peran.", "Choose at least one role."),
    # --- audit export ---
    "too_many_events": (
        "Rentang ini berisi {count} peristiwa audit, lebih dari {limit} yang dapat dicetak "
        "dalam satu PDF. Pilih rentang tanggal yang lebih sempit atau tambahkan filter, atau "
        "ekspor sebagai CSV atau JSON Lines.",
        "This range holds {count} audit events, more than the {limit} one PDF can print. "
        "Choose a narrower date range or add filters, or export CSV or JSON Lines instead.",
    ),
    #
    # --- calendar ---
    "calendar_invalid": (
        "Daftar hari libur ditolak, tidak ada yang diubah: {count} baris bermasalah "
        "(lihat details.errors).",
        "The holiday list was refused and nothing was changed: {count} bad row(s) "
        "(see details.errors).",
    ),
    "calendar_year_out_of_range": (
        "Tahun {year} di luar rentang 2000–2100.",
        "Year {year} is outside 2000-2100.",
    ),
    "calendar_year_unknown": (
        "Kantor belum mempunyai daftar hari libur tahun {year}: tetapkan dulu sumbernya.",
        "The office has no holiday list for {year} yet: name its source first.",
    ),
    "calendar_source_required": (
        "Sebutkan sumber daftar hari libur (misalnya SKB 3 Menteri tahun itu).",
        "Name the source of the holiday list (e.g. that year's SKB 3 Menteri).",
    ),
    "calendar_source_too_long": (
        "Sumber daftar hari libur paling banyak 500 karakter.",
        "The holiday list's source may have at most 500 characters.",
    ),
    "calendar_csv_unreadable": (
        "Berkas CSV tidak dapat dibaca: {reason}. Kolom: date,name,kind.",
        "The CSV file cannot be read: {reason}. Columns: date,name,kind.",
    ),
    "holiday_outside_year": (
        "Tanggal {date} tidak berada di tahun {year}.",
        "The date {date} is not in {year}.",
    ),
    "holiday_duplicate": (
        "Tanggal {date} sudah ada di baris {first}.",
        "The date {date} is already in row {first}.",
    ),
    "holiday_taken": (
        "Tanggal {date} sudah menjadi hari libur ({name}).",
        "The date {date} is already a day off ({name}).",
    ),
    "holiday_bad_date": (
        "Tanggal harus berbentuk TTTT-BB-HH, bukan {value!r}.",
        "The date must be YYYY-MM-DD, not {value!r}.",
    ),
    "holiday_bad_name": (
        "Nama hari libur wajib diisi (paling banyak 200 karakter).",
        "The holiday's name is required (at most 200 characters).",
    ),
    "holiday_bad_kind": (
        "Jenis harus holiday (libur nasional) atau cuti_bersama, bukan {value!r}.",
        "The kind must be holiday or cuti_bersama, not {value!r}.",
    ),
    # --- office administration (sections, indicators, office profile) ---
    "office_field_required": ("Kolom {field} wajib diisi.", "The {field} is required."),
    "office_field_too_long": (
        "Kolom {field} terlalu panjang (paling banyak {max} karakter).",
        "The {field} is too long (at most {max} characters).",
    ),
    "invalid_email": (
        "Alamat e-mail tidak valid (contoh: kecamatan@purbalinggakab.go.id).",
        "Not a valid e-mail address (e.g. kecamatan@purbalinggakab.go.id).",
    ),
    "invalid_phone": (
        "Nomor telepon hanya berisi angka, spasi, +, -, titik, garis miring dan kurung.",
        "A telephone number holds only digits, spaces, +, -, dots, slashes and brackets.",
    ),
    "invalid_url": (
        "Kolom {field} harus alamat web lengkap yang diawali http:// atau https://.",
        "The {field} must be a full web address starting with http:// or https://.",
    ),
    "logo_too_large": (
        "Berkas logo terlalu besar (maksimal {limit_kb} KB).",
        "The logo file is too large (at most {limit_kb} KB).",
    ),
    "logo_not_an_image": (
        "Logo harus berupa gambar PNG atau JPEG.",
        "The logo must be a PNG or JPEG image.",
    ),
    "logo_too_big_picture": (
        "Gambar logo terlalu besar (paling banyak {max} piksel per sisi).",
        "The logo picture is too big (at most {max} pixels a side).",
    ),
    "invalid_logo_encoding": (
        "Logo harus dikirim sebagai base64 atau URI data:image/...;base64,.",
        "The logo must be sent as base64 or a data:image/...;base64, URI.",
    ),
    "invalid_section_code": (
        "Kode seksi {section!r} tidak valid: 1–40 huruf kecil, angka, titik, garis bawah atau "
        "tanda hubung, diawali huruf atau angka.",
        "Invalid section code {section!r}: 1-40 lower-case letters, digits, dots, underscores "
        "or hyphens, starting with a letter or digit.",
    ),
    "duplicate_section": (
        "Unit dengan kode {section!r} sudah ada.",
        "A unit with code {section!r} already exists.",
    ),
    "unknown_user": (
        "Pengguna {username!r} tidak dikenal atau tidak aktif.",
        "User {username!r} is unknown or inactive.",
    ),
    "section_name_required": ("Nama seksi wajib diisi.", "The section needs a name."),
    "indicator_field_invalid": (
        "Nilai {field} indikator tidak valid.",
        "The indicator's {field} is not valid.",
    ),
    #
    # --- separation of duties, backups ---
    "self_review": (
        "Pemisahan tugas: Anda sendiri {verb_id} langkah {by_step} pada putaran ini, sehingga "
        "tidak dapat memutuskan langkah {step}; langkah ini harus diputuskan oleh {actors} "
        "yang lain.",
        "Separation of duties: you {verb_en} step {by_step} in this round yourself, so you "
        "cannot decide step {step}; another {actors} must decide it.",
    ),
    #
    # --- signing: on paper, the office's digital signature, verification ---
    "not_a_signed_kind": (
        "Hanya laporan bertanda tangan yang dapat dicatat sebagai ditandatangani di atas "
        "kertas; {kind!r} langkah {step} bukan laporan itu.",
        "Only the signed report can be recorded as signed on paper; {kind!r} of step {step} "
        "is not it.",
    ),
    "signed_at_without_paper": (
        "Waktu penandatanganan (signed_at) hanya untuk laporan yang ditandatangani di atas "
        "kertas (signed_on_paper=true).",
        "signed_at is only for a report signed on paper (signed_on_paper=true).",
    ),
    "invalid_signed_at": (
        "Waktu penandatanganan tidak valid: {reason}.",
        "Invalid signed_at: {reason}.",
    ),
    "invalid_signed_at/format": (
        "Waktu penandatanganan harus berupa tanggal dan jam (misalnya 2026-03-02 09:30).",
        "signed_at must be a date and time (for example 2026-03-02 09:30).",
    ),
    "paper_scan_type": (
        "Pindaian laporan bertanda tangan basah harus berupa PDF, PNG atau JPEG ({filename}).",
        "The scan of the ink-signed report must be a PDF, PNG or JPEG ({filename}).",
    ),
    "finished_before_paper_signature": (
        "Langkah tidak dapat selesai sebelum laporan ditandatangani di atas kertas ({signed_at}).",
        "The step cannot finish before the report was signed on paper ({signed_at}).",
    ),
    "scan_already_recorded": (
        "Berkas pindaian ini sudah tercatat sebagai laporan bertanda tangan periode {period}; "
        "unggah pindaian laporan yang benar.",
        "This scan is already recorded as the signed report of period {period}; upload the "
        "right report's scan.",
    ),
    "paper_scan_required": (
        "Pilih berkas pindaian laporan yang sudah ditandatangani.",
        "Choose the scan of the signed report.",
    ),
    "signing_certificate_unavailable": (
        "Sertifikat penandatanganan kantor tidak dapat dibaca; laporan tidak ditandatangani. "
        "Hubungi admin (SIGNING_CERT_FILE dan SIGNING_CERT_PASSWORD).",
        "The office's signing certificate cannot be read; the report was not signed. Ask the "
        "admin (SIGNING_CERT_FILE and SIGNING_CERT_PASSWORD).",
    ),
    #
    # --- production server (requests, blobs) ---
    # `unsupported_media_type` of a JSON endpoint (variant "json", app/api/blueprint.py).
    "unsupported_media_type/json": (
        "Isi permintaan harus JSON (Content-Type: application/json), bukan {media_type}.",
        "The request body must be JSON (Content-Type: application/json), not {media_type}.",
    ),
    #
    # --- analytics (Kinerja SOP) ---
    "analytics_range_reversed": (
        "Tanggal sampai ({until}) harus sesudah tanggal dari ({since}).",
        "The until date ({until}) must come after the since date ({since}).",
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
