"""The measurement's documents as spreadsheets: each section's kertas kerja and the recap as
`.xlsx` (`rendering.xlsx`), with the same figures as their PDFs (`services.reports`).

Target and realisation are numbers with up to four decimals; capaian is a percentage (the
cell holds 0.9125 and shows 91,25 %), so a formula over the column computes with the real
figure; a row that is not measurable leaves its capaian empty and says why.
"""

from decimal import Decimal

from app.models import Instance
from app.rendering import xlsx
from app.rendering.format import format_period, format_polarity, format_reason
from app.services import indicators, reports
from app.services.indicators import MeasurementSheet, SectionSheet

ROW_COLUMNS = [
    xlsx.Column("No", 5, xlsx.INTEGER),
    xlsx.Column("Kode", 10),
    xlsx.Column("Indikator Kinerja", 46),
    xlsx.Column("Satuan", 12),
    xlsx.Column("Polaritas", 22),
    xlsx.Column("Target", 13, xlsx.DECIMAL),
    xlsx.Column("Realisasi", 13, xlsx.DECIMAL),
    xlsx.Column("Capaian", 11, xlsx.PERCENT),
    xlsx.Column("Predikat", 15),
    xlsx.Column("Catatan", 40),
]
SUMMARY_COLUMNS = [
    xlsx.Column("No", 5, xlsx.INTEGER),
    xlsx.Column("Bagian", 44),
    xlsx.Column("Jumlah Indikator", 12, xlsx.INTEGER),
    xlsx.Column("Terukur", 10, xlsx.INTEGER),
    xlsx.Column("Rata-rata Capaian", 14, xlsx.PERCENT),
    xlsx.Column("Predikat", 15),
]


def _fraction(percent: Decimal | None) -> Decimal | None:
    """A capaian in % as the fraction a percentage cell holds: 91.25 → 0.9125."""
    return None if percent is None else percent / 100


def _title_block(instance: Instance, document: str, subject: str | None = None) -> list[str]:
    office = reports.office()
    lines = [document.upper(), office["name"]]
    if subject:
        lines.append(subject)
    lines.append(format_period(instance.period))
    return lines


def _notes(row) -> str | None:
    flags = indicators.implausibilities(row.target, row.realization, row.achievement.value)
    reason = [format_reason(row.achievement.reason)] if row.achievement.reason else []
    return "; ".join(reason + [f.message for f in flags]) or None


def _section_rows(section: SectionSheet) -> list[list[object]]:
    return [
        [
            n,
            row.code,
            row.name,
            row.unit,
            format_polarity(row.polarity),
            row.target,
            row.realization,
            _fraction(row.achievement.value),
            row.achievement.category.label,
            _notes(row),
        ]
        for n, row in enumerate(section.rows, start=1)
    ]


def _section_total(section: SectionSheet) -> list[object]:
    label = f"Rata-rata capaian {section.name}"
    return [None, None, label, None, None, None, None, _fraction(section.average)] + [
        section.category.label,
        None,
    ]


def _worksheet_table(instance: Instance, section: SectionSheet) -> xlsx.Table:
    return xlsx.Table(
        sheet_name=section.name,
        title_lines=_title_block(instance, reports.WORKSHEET_TITLE, section.name),
        columns=ROW_COLUMNS,
        rows=_section_rows(section),
        total=_section_total(section),
    )


def _workbook(tables: list[xlsx.Table], title: str, instance: Instance) -> bytes:
    return xlsx.workbook_bytes(
        tables,
        title=f"{title} — {format_period(instance.period)}",
        creator=reports.office()["name"],
    )


def worksheet_xlsx(instance: Instance, section_code: str) -> bytes:
    """Write the Kertas Kerja of one section as a workbook (404 for an unknown section)."""
    sheet = reports.measurement_of(instance)
    section = reports.section_of(sheet, section_code)
    return _workbook([_worksheet_table(instance, section)], reports.WORKSHEET_TITLE, instance)


def _summary_table(instance: Instance, sheet: MeasurementSheet) -> xlsx.Table:
    rows = [
        [
            n,
            section.name,
            len(section.rows),
            section.measurable,
            _fraction(section.average),
            section.category.label,
        ]
        for n, section in enumerate(sheet.sections, start=1)
    ]
    total = [
        None,
        f"{reports.office()['name']} (keseluruhan)",
        sheet.measurable + sheet.not_measurable,
        sheet.measurable,
        _fraction(sheet.average),
        sheet.category.label,
    ]
    return xlsx.Table(
        sheet_name="Ringkasan",
        title_lines=_title_block(instance, reports.RECAP_TITLE, "Ringkasan capaian per bagian"),
        columns=SUMMARY_COLUMNS,
        rows=rows,
        total=total,
    )


def _recap_rows_table(instance: Instance, sheet: MeasurementSheet) -> xlsx.Table:
    columns = [*ROW_COLUMNS[:2], xlsx.Column("Bagian", 26), *ROW_COLUMNS[2:]]
    rows = []
    for section in sheet.sections:
        for values in _section_rows(section):
            rows.append([len(rows) + 1, values[1], section.name, *values[2:]])
    return xlsx.Table(
        sheet_name="Hasil per indikator",
        title_lines=_title_block(instance, reports.RECAP_TITLE, "Hasil pengukuran per indikator"),
        columns=columns,
        rows=rows,
    )


def recap_xlsx(instance: Instance) -> bytes:
    """Write the Rekapitulasi as a workbook: the summary per section, then every indicator."""
    sheet = reports.measurement_of(instance)
    tables = [_summary_table(instance, sheet), _recap_rows_table(instance, sheet)]
    return _workbook(tables, reports.RECAP_TITLE, instance)


def filename_of(title: str, instance: Instance, section_code: str | None = None) -> str:
    """Name a workbook as its PDF is named, with `.xlsx`."""
    return reports.filename_of(title, instance, section_code).removesuffix(".pdf") + ".xlsx"
