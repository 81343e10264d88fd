"""The category scale (predikat): its bands, the category of an achievement, and the office's
own scale as data (`CategoryBand` rows, editable by the admin).

The category of an achievement is the band with the highest lower bound not above it (the
bound is inclusive); the band with no bound takes everything below the others.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa

from app.errors import DomainError, Phrase
from app.extensions import db
from app.i18n import N_
from app.models import CategoryBand, User
from app.services import audit


@dataclass(frozen=True)
class Category:
    code: str
    label: str


NOT_MEASURABLE = Category("not_measurable", "Tidak dapat diukur")


@dataclass(frozen=True)
class Band:
    """One band of the scale: achievements from `min_achievement` (inclusive) upwards;
    None is below every other band."""

    code: str
    label: str
    min_achievement: Decimal | None

    @property
    def category(self) -> Category:
        return Category(self.code, self.label)


# Keep in step with the rows the indicators migration seeds.
DEFAULT_BANDS: tuple[Band, ...] = (
    Band("sangat_tinggi", "Sangat Tinggi", Decimal(91)),
    Band("tinggi", "Tinggi", Decimal(76)),
    Band("sedang", "Sedang", Decimal(66)),
    Band("rendah", "Rendah", Decimal(51)),
    Band("sangat_rendah", "Sangat Rendah", None),
)


def categorize(value: Decimal | None, bands: Sequence[Band] = DEFAULT_BANDS) -> Category:
    """Name the band `value` falls in; None is not measurable. Pass `current_bands()` for the
    office's own scale."""
    if value is None:
        return NOT_MEASURABLE
    if not bands:
        raise ValueError("the category scale has no bands")
    bounded = sorted(
        (b for b in bands if b.min_achievement is not None),
        key=lambda b: b.min_achievement,
        reverse=True,
    )
    for band in bounded:
        if value >= band.min_achievement:
            return band.category
    floor = next((b for b in bands if b.min_achievement is None), None)
    # A scale without an open bottom band: below its lowest bound is still its lowest band.
    return (floor or bounded[-1]).category


def _highest_first(bound: Decimal | None) -> tuple[bool, Decimal]:
    """Sort key of a band's lower bound: highest first, the open bottom band last."""
    return (bound is None, -(bound or 0))


def current_bands() -> tuple[Band, ...]:
    """Return the office's category scale, highest band first; the default scale if the
    table is empty."""
    rows = db.session.scalars(
        sa.select(CategoryBand).order_by(CategoryBand.sort_order, CategoryBand.id)
    ).all()
    if not rows:
        return DEFAULT_BANDS
    bands = [Band(r.code, r.name, r.min_achievement) for r in rows]
    return tuple(sorted(bands, key=lambda b: _highest_first(b.min_achievement)))


def seed_category_bands() -> None:
    """Write the default scale into an empty category table (the migration does this too)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(CategoryBand)):
        return
    _store_bands(
        [
            {"code": b.code, "name": b.label, "min_achievement": b.min_achievement}
            for b in DEFAULT_BANDS
        ]
    )


def replace_category_scale(
    bands: Sequence[Mapping[str, Any]], *, actor: User, ip: str | None = None
) -> tuple[Band, ...]:
    """Replace the office's category scale (admin only): bands with a code, a name and an
    inclusive lower bound, exactly one of them with no bound (below all others)."""
    if not actor.has_role("admin"):
        raise DomainError(403, "forbidden")
    bands = [{**band, "min_achievement": _bound_of(band["min_achievement"])} for band in bands]
    problems = _scale_problems(bands)
    if problems:
        raise DomainError(
            422,
            "invalid_scale",
            details={"problems": [SCALE_PROBLEMS[p] for p in problems], "codes": problems},
            problems=Phrase(*(SCALE_PROBLEMS[p] for p in problems), separator="; "),
        )
    before = _audit_view(current_bands())
    db.session.execute(sa.delete(CategoryBand))
    _store_bands(sorted(bands, key=lambda b: _highest_first(b["min_achievement"])))
    after = current_bands()
    audit.record(
        "category_scale.changed",
        actor=actor,
        object_type="category_scale",
        summary=f"{actor.username} mengubah skala predikat capaian",
        data={"before": before, "after": _audit_view(after)},
        ip=ip,
    )
    return after


def _store_bands(bands: Sequence[Mapping[str, Any]]) -> None:
    """Add `bands` (code, name, min_achievement) in their order, and flush."""
    for order, band in enumerate(bands, start=1):
        db.session.add(
            CategoryBand(
                code=band["code"],
                name=band["name"],
                min_achievement=band["min_achievement"],
                sort_order=order,
            )
        )
    db.session.flush()


def _bound_of(value: float | Decimal | None) -> Decimal | None:
    """A band's lower bound as the column keeps it: two decimals."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _audit_view(bands: Sequence[Band]) -> list[tuple[str, str, str | None]]:
    return [
        (b.code, b.label, None if b.min_achievement is None else str(b.min_achievement))
        for b in bands
    ]


# What can be wrong with a scale (msgids of the catalogue, translations/).
SCALE_PROBLEMS = {
    "too_few_bands": N_("the scale needs at least two bands"),
    "duplicate_codes": N_("band codes must be unique"),
    "duplicate_bounds": N_("two bands cannot start at the same achievement"),
    "lowest_band": N_("exactly one band must have no lower bound (the lowest band)"),
}


def _scale_problems(bands: Sequence[Mapping[str, Any]]) -> list[str]:
    """Name what is wrong with `bands` (codes of SCALE_PROBLEMS)."""
    problems = []
    if len(bands) < 2:
        problems.append("too_few_bands")
    codes = [b["code"] for b in bands]
    if len(set(codes)) != len(codes):
        problems.append("duplicate_codes")
    bounds = [b["min_achievement"] for b in bands if b["min_achievement"] is not None]
    if len(set(bounds)) != len(bounds):
        problems.append("duplicate_bounds")
    if sum(1 for b in bands if b["min_achievement"] is None) != 1:
        problems.append("lowest_band")
    return problems
