"""The admin's predikat scale page: the bands from the highest down, replaced all at once,
with every problem said in Indonesian beside the row it is about."""

import re
from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app.errors import DomainError
from app.http import client_ip, refuse, request_language
from app.rendering.format import format_band_ranges, input_text
from app.services import indicators as service
from app.web import bp
from app.web.admin import admin_page, admin_required

BAND_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_ROWS = 12
SPARE_ROWS = 2
MAX_BOUND = 1_000_000


@dataclass
class BandRow:
    """One row of the form as typed, and what is wrong with it."""

    name: str = ""
    code: str = ""
    bound: str = ""
    errors: list[str] | None = None

    @property
    def blank(self) -> bool:
        return not (self.name or self.code or self.bound)


def slug(name: str) -> str:
    """A band code made of its name: "Sangat Tinggi" is "sangat_tinggi"."""
    code = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if code and not code[0].isalpha():
        code = f"p_{code}"
    return code[:40]


def _typed_rows() -> list[BandRow]:
    form = request.form
    return [
        BandRow(
            name=" ".join(form.get(f"name-{i}", "").split())[:80],
            code=form.get(f"code-{i}", "").strip()[:40],
            bound=form.get(f"bound-{i}", "").strip()[:20],
        )
        for i in range(MAX_ROWS)
    ]


def _read_row(row: BandRow) -> dict | None:
    """The band a row describes, or None (its errors noted on the row)."""
    row.errors = []
    if not row.name:
        row.errors.append("Nama predikat wajib diisi.")
    code = row.code or slug(row.name)
    if row.name and not BAND_CODE.match(code):
        row.errors.append("Kode: huruf kecil, angka dan garis bawah, diawali huruf.")
    bound = None
    if row.bound:
        bound = service.parse_number_text(row.bound)
        if bound is None:
            row.errors.append("Batas bawah harus angka, mis. 90,5 (kosongkan untuk terendah).")
        elif abs(bound) >= MAX_BOUND:
            row.errors.append("Batas bawah terlalu besar.")
        elif bound != bound.quantize(service.TWO_PLACES):
            row.errors.append("Batas bawah paling banyak 2 angka di belakang koma.")
    if row.errors:
        return None
    return {"code": code, "name": row.name, "min_achievement": bound}


def _rows_of(bands) -> list[BandRow]:
    rows = [BandRow(name=b.label, code=b.code, bound=input_text(b.min_achievement)) for b in bands]
    return rows + [BandRow() for _ in range(SPARE_ROWS)]


def _page(rows: list[BandRow], problem: str | None = None, status: int = 200):
    bands = service.current_bands()
    return render_template(
        "admin/scale/index.html",
        rows=rows[:MAX_ROWS],
        bands=bands,
        ranges=format_band_ranges(bands),
        problem=problem,
        form=FlaskForm(),
    ), status


@bp.route("/admin/scale", methods=["GET", "POST"])
@admin_required
@admin_page(
    "Skala predikat",
    "batas capaian setiap predikat (Sangat Tinggi … Sangat Rendah)",
    order=40,
)
def admin_scale():
    """Show the predikat scale; replace it with the rows typed (blank rows are left out)."""
    if request.method == "GET":
        return _page(_rows_of(service.current_bands()))
    form = FlaskForm()
    if not form.validate_on_submit():
        raise DomainError(400, "bad_request", reason="formulir")
    rows = _typed_rows()
    typed = [row for row in rows if not row.blank]
    bands = [_read_row(row) for row in typed]
    if any(band is None for band in bands):
        refuse(DomainError(422, "validation_error"))
        return _page(rows, "Periksa baris yang bertanda merah.", 422)
    try:
        service.replace_category_scale(bands, actor=current_user, ip=client_ip())
    except DomainError as error:
        refuse(error)
        return _page(rows, error.message(request_language()), error.status)
    flash("Skala predikat disimpan; setiap capaian kini dinilai dengan skala ini.", "success")
    return redirect(url_for("web.admin_scale"))
