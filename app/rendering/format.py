"""Every label and number the office reads, written once, for pages and PDFs alike.

Numbers the Indonesian way ("1.234,5"), dates and times in the office's zone, working time,
the mutu baku, periods, NIPs, polarities and why an indicator cannot be measured. The same
functions are the Jinja filters (`init_app`), so a page and a report never disagree.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from babel import dates as babel_dates
from flask import Flask

from app.services.office_calendar import office_timezone
from app.services.periods import parse_period

DASH = "–"
# Dates are written with Babel's CLDR data for Bahasa Indonesia ("Senin, 2 Maret 2026").
LOCALE = "id"
ROMAN = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class Polarity:
    """How a polarity reads: its name in a table, its arrow and what it means."""

    label: str
    arrow: str
    meaning: str


POLARITIES = {
    "positive": Polarity("Positif", "↑", "lebih tinggi lebih baik"),
    "negative": Polarity("Negatif", "↓", "lebih rendah lebih baik"),
}
# How an indicator's quarters make its year.
AGGREGATIONS = {
    "sum": "Jumlah triwulan",
    "average": "Rata-rata triwulan",
    "last": "Nilai triwulan terakhir",
}
# Why an indicator has no achievement, as `indicators.achievement` says it.
REASONS = {
    "target_missing": "target belum diisi",
    "target_zero": "target bernilai 0",
    "realization_missing": "realisasi belum diisi",
}


def format_number(value: Decimal | int | float | None, places: int | None = None) -> str:
    """Write a number the Indonesian way, "1.234,5", with `places` decimals when given."""
    if value is None:
        return DASH
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        return DASH
    if places is None:
        number = number.normalize()
    else:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{number:,f}"
    if number.is_zero():
        text = text.lstrip("-")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_percent(value: Decimal | None) -> str:
    """Write an achievement with two decimals, "91,25"; a dash when there is none."""
    return format_number(value, places=2)


def input_text(value: Decimal | None) -> str:
    """Write a value for an input: a decimal comma and no grouping ("1234,5"), because
    `parse_number_text` reads a lone dot as a decimal point."""
    if value is None:
        return ""
    return format(value.normalize(), "f").replace(".", ",")


def format_date(value: date | datetime | None) -> str:
    """Write a date the Indonesian way, "24 November 2026" (an instant in the office's zone)."""
    if value is None:
        return DASH
    if isinstance(value, datetime):
        value = value.astimezone(office_timezone()).date()
    return babel_dates.format_date(value, "d MMMM y", locale=LOCALE)


# The CLDR names of "EEEE" and "MMMM", read once: Babel's formatter took 0.2 ms a date,
# a large share of a big board.
DAY_NAMES = babel_dates.get_day_names("wide", context="format", locale=LOCALE)
MONTH_NAMES = babel_dates.get_month_names("wide", context="format", locale=LOCALE)


def format_datetime(value: datetime | None, with_day: bool = False, zone=None) -> str:
    """Write an instant in the office's zone, "2 Maret 2026 07.30", or with its day,
    "Senin, 2 Maret 2026 07.30" (Babel's "d MMMM y HH.mm", with "EEEE, " before); a page
    writing hundreds passes the `zone` it read once (looking it up stats the calendar file)."""
    if value is None:
        return DASH
    local = value.astimezone(zone or office_timezone())
    text = (
        f"{local.day} {MONTH_NAMES[local.month]} {local.year} {local.hour:02d}.{local.minute:02d}"
    )
    return f"{DAY_NAMES[local.weekday()]}, {text}" if with_day else text


def format_duration(minutes: int | None) -> str:
    """Write working minutes as "2 jam 05 menit" or "45 menit"."""
    if minutes is None:
        return DASH
    hours, rest = divmod(int(minutes), 60)
    return f"{format_number(hours)} jam {rest:02d} menit" if hours else f"{rest} menit"


def format_standard(standard) -> str:
    """Write a mutu baku as the SOP states it: "15 menit", "2 hari kerja"."""
    return f"{standard.value} {'menit' if standard.unit == 'minute' else 'hari kerja'}"


def format_period(code: str) -> str:
    """Name a period: "2026-Q1" is "Triwulan I 2026", "2026" is "Tahun 2026"; anything
    else is written as it is."""
    period = parse_period(code)
    if period is None:
        return str(code)
    if period.is_year:
        return f"Tahun {period.year}"
    return f"Triwulan {ROMAN[period.quarter - 1]} {period.year}"


def format_nip(nip: str | None) -> str:
    """Group an 18-digit NIP as printed on letters: "19700312 199003 1 005"."""
    if not nip:
        return ""
    if len(nip) == 18 and nip.isdigit():
        return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    return nip


def format_polarity(code: object) -> str:
    """Name a polarity as a table does: "Positif", "Negatif"."""
    polarity = POLARITIES.get(str(code))
    return polarity.label if polarity else str(code)


def format_reason(code: object) -> str:
    """Say why an indicator cannot be measured: "target bernilai 0"."""
    return REASONS.get(str(code), str(code))


def format_band_ranges(bands) -> list[tuple[object, str]]:
    """Each band of the predikat scale (highest first) with the range it covers, as the page
    and the reports write it: "≥ 91", "76 – < 91", "< 51"."""
    ranges = []
    upper = None
    for band in bands:
        low = band.min_achievement
        if low is None:
            text = f"< {format_number(upper)}" if upper is not None else "semua"
        elif upper is None:
            text = f"≥ {format_number(low)}"
        else:
            text = f"{format_number(low)} – < {format_number(upper)}"
        ranges.append((band, text))
        if low is not None:
            upper = low
    return ranges


# What broke in the audit chain, in the words of the Audit page and the audit PDF.
CHAIN_FAULTS = {
    "edited": "diubah",
    "deleted": "dihapus",
    "reordered": "urutan diubah",
    "truncated": "ekor dipotong",
    "emptied": "dikosongkan",
}
AUDIT_FILTER_LABELS = {
    "since": "Sejak",
    "until": "Sampai",
    "actor": "Pengguna",
    "action": "Tindakan",
    "object_type": "Jenis objek",
    "object_id": "ID objek",
}


def format_chain_check(check) -> str:
    """Say what the audit chain's check found: intact with its count and head, or what broke
    ("diubah", "dihapus", "urutan diubah", "ekor dipotong", "dikosongkan") and where."""
    if check.ok:
        if not check.events:
            return "Rantai audit utuh: belum ada peristiwa."
        return (
            f"Rantai audit utuh: {format_number(check.events)} peristiwa terverifikasi, "
            f"kepala rantai {check.head[:16]}…"
        )
    fault = CHAIN_FAULTS.get(check.reason, str(check.reason))
    bad = check.first_bad_event
    intact = f"{format_number(check.events)} peristiwa sebelumnya utuh"
    if check.reason == "edited":
        where = f"peristiwa #{bad} {fault}: isinya tidak cocok dengan hash berkuncinya"
    elif check.reason == "deleted":
        where = f"peristiwa sebelum #{bad} {fault}: #{bad} tidak tersambung ke pendahulunya"
    elif check.reason == "reordered":
        where = f"{fault} pada peristiwa #{bad}: ia tersambung ke peristiwa yang bukan pendahulunya"
    elif check.reason == "truncated":
        where = (
            f"{fault}: rantai berakhir sebelum peristiwa #{bad} yang diingat kepala rantai "
            "atau jurnal"
        )
    else:
        where = (
            f"{fault}: tidak ada peristiwa lagi, padahal jurnal mencatat sampai peristiwa #{bad}"
        )
        intact = ""
    return f"Rantai audit RUSAK — {where}." + (f" {intact}." if intact else "")


FILTERS = {
    "chain_check": format_chain_check,
    "number": format_number,
    "percent": format_percent,
    "date": format_date,
    "datetime": format_datetime,
    "duration": format_duration,
    "mutu_baku": format_standard,
    "period": format_period,
    "nip": format_nip,
    "polarity": format_polarity,
    "reason": format_reason,
    "band_ranges": format_band_ranges,
}


def init_app(app: Flask) -> None:
    """Register the formats as Jinja filters, for the pages and the PDF templates."""
    app.jinja_env.filters.update(FILTERS)
