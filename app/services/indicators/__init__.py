"""Indicators: the arithmetic of achievement (capaian), the category scale (predikat), the
indicators and their values per period, the measurement sheet, and the import of values.

Each concept is a module; this package answers the whole service's API, so callers write
`from app.services import indicators as service` and `service.set_value(...)`:

- `arithmetic`: achievement against a target, a year made of its quarters, means, rounding,
  and the one rule that a zero target is not measurable;
- `scale`: the bands, the category of an achievement, the office's scale as data;
- `values`: indicators, their stored targets and realisations, what a value may be;
- `sheet`: the measurement sheet of every section for a period;
- `importing`: rows from a CSV, JSON or XLSX file, checked all together, applied all or none;
- `plausibility`: figures a reviewer should check (capaian above 150 % or below 0, a
  realisation more than three times its target), with the thresholds as constants;
- `admin`: the admin's changes to an indicator, retiring and reactivating it included.
"""

from app.services.indicators.admin import update_indicator
from app.services.indicators.arithmetic import (
    FOUR_PLACES,
    HUNDRED,
    TWO_PLACES,
    Achievement,
    Figures,
    achievement,
    aggregate,
    figures,
    mean_achievement,
    not_measurable_reason,
    refuse_realization_on_zero_target,
    round2,
)
from app.services.indicators.importing import (
    ALIASES,
    INDONESIAN_NUMBER,
    MAX_IMPORT_ROWS,
    PLAIN_NUMBER,
    ImportRejected,
    ImportResult,
    ImportRow,
    RowError,
    import_values,
    parse_number_text,
    rows_from_csv,
    rows_from_file,
    rows_from_json,
    rows_from_xlsx,
    unreadable,
)
from app.services.indicators.plausibility import (
    MAX_PLAUSIBLE_ACHIEVEMENT,
    MAX_REALIZATION_TO_TARGET,
    MIN_PLAUSIBLE_ACHIEVEMENT,
    Flag,
    FlaggedRow,
    flagged_rows,
    implausibilities,
    thresholds,
)
from app.services.indicators.scale import (
    DEFAULT_BANDS,
    NOT_MEASURABLE,
    Band,
    Category,
    categorize,
    current_bands,
    replace_category_scale,
    seed_category_bands,
)
from app.services.indicators.sheet import (
    MeasurementSheet,
    SectionSheet,
    WorksheetRow,
    measurement_sheet,
)
from app.services.indicators.values import (
    CODE_PATTERN,
    MAX_VALUE,
    UNSET,
    IndicatorValues,
    check_value,
    create_indicator,
    get_indicator,
    list_indicators,
    require_writer,
    set_value,
    to_decimal,
    value_problem,
    values_of,
    writer_roles,
)

# Periods live in `app.services.periods`; these names stay importable here for old callers.
from app.services.periods import QUARTERS, is_year, quarter_periods

__all__ = [
    "ALIASES",
    "CODE_PATTERN",
    "DEFAULT_BANDS",
    "FOUR_PLACES",
    "HUNDRED",
    "INDONESIAN_NUMBER",
    "MAX_IMPORT_ROWS",
    "MAX_PLAUSIBLE_ACHIEVEMENT",
    "MAX_REALIZATION_TO_TARGET",
    "MIN_PLAUSIBLE_ACHIEVEMENT",
    "MAX_VALUE",
    "NOT_MEASURABLE",
    "PLAIN_NUMBER",
    "QUARTERS",
    "TWO_PLACES",
    "UNSET",
    "writer_roles",
    "Achievement",
    "Band",
    "Category",
    "Figures",
    "Flag",
    "FlaggedRow",
    "ImportRejected",
    "ImportResult",
    "ImportRow",
    "IndicatorValues",
    "MeasurementSheet",
    "RowError",
    "SectionSheet",
    "WorksheetRow",
    "achievement",
    "aggregate",
    "categorize",
    "check_value",
    "create_indicator",
    "current_bands",
    "figures",
    "flagged_rows",
    "get_indicator",
    "implausibilities",
    "import_values",
    "is_year",
    "list_indicators",
    "mean_achievement",
    "measurement_sheet",
    "not_measurable_reason",
    "parse_number_text",
    "quarter_periods",
    "refuse_realization_on_zero_target",
    "replace_category_scale",
    "require_writer",
    "round2",
    "rows_from_csv",
    "rows_from_file",
    "rows_from_json",
    "rows_from_xlsx",
    "seed_category_bands",
    "set_value",
    "thresholds",
    "to_decimal",
    "unreadable",
    "update_indicator",
    "value_problem",
    "values_of",
]
