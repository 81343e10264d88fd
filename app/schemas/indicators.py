"""Schemas of indicators, their values, their import and the measurement sheet."""

from marshmallow import Schema, fields, validate

from app.schemas.common import OfficeDateTime, PageArgsSchema, StrictSchema, page_of
from app.schemas.documents import FilePart
from app.services.indicators import CODE_PATTERN, MAX_IMPORT_ROWS, to_decimal

CODE = validate.Regexp(CODE_PATTERN, error="1-40 letters, digits, dots, underscores or hyphens.")
POLARITY = ["positive", "negative"]
AGGREGATION = ["sum", "average", "last"]
SOURCES = {"enum": ["entered", "quarters", None]}
NOT_BLANK = validate.Regexp(r"\S", error="Must not be blank.")


class JsonNumber(fields.Number):
    """A JSON number (not a string, not a boolean), loaded as an exact Decimal and dumped as
    a JSON number."""

    num_type = float
    default_error_messages = {"invalid": "Not a number."}

    def _deserialize(self, value, attr, data, **kwargs):
        number = to_decimal(value)
        if number is None:
            raise self.make_error("invalid")
        return number


class JsonBoolean(fields.Boolean):
    """A JSON true or false, nothing else (not 1, not "yes")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class IndicatorCreateSchema(StrictSchema):
    code = fields.String(required=True, validate=CODE, metadata={"example": "PEM-01"})
    name = fields.String(required=True, validate=[validate.Length(min=1, max=300), NOT_BLANK])
    unit = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=40), NOT_BLANK],
        metadata={"example": "%"},
    )
    polarity = fields.String(required=True, validate=validate.OneOf(POLARITY))
    aggregation = fields.String(
        required=True,
        validate=validate.OneOf(AGGREGATION),
        metadata={"description": "How the quarters make the year"},
    )
    section = fields.String(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "The section's code", "example": "pemerintahan"},
    )


class IndicatorUpdateSchema(StrictSchema):
    name = fields.String(validate=[validate.Length(min=1, max=300), NOT_BLANK])
    unit = fields.String(validate=[validate.Length(min=1, max=40), NOT_BLANK])
    polarity = fields.String(validate=validate.OneOf(POLARITY))
    aggregation = fields.String(validate=validate.OneOf(AGGREGATION))
    section = fields.String(
        validate=validate.Length(min=1, max=40), metadata={"description": "A section's code"}
    )
    active = JsonBoolean(
        metadata={
            "description": "false retires the indicator: its values stay, new periods' "
            "sheets leave it out; true reactivates it"
        },
    )


class IndicatorListArgsSchema(PageArgsSchema):
    section = fields.String(
        validate=validate.Length(min=1, max=40), metadata={"description": "A section's code"}
    )


class IndicatorSchema(Schema):
    code = fields.String()
    name = fields.String()
    unit = fields.String()
    polarity = fields.String(metadata={"enum": POLARITY})
    aggregation = fields.String(metadata={"enum": AGGREGATION})
    section = fields.String(attribute="section.code")
    section_name = fields.String(attribute="section.name")
    active = fields.Boolean()
    created_at = OfficeDateTime()


IndicatorPageSchema = page_of(IndicatorSchema, "IndicatorPageSchema")


class ValueSetSchema(StrictSchema):
    target = JsonNumber(
        allow_none=True,
        metadata={"description": "At least 0; null clears it; left out, it stays"},
    )
    realization = JsonNumber(
        allow_none=True,
        metadata={"description": "At least 0; null clears it; left out, it stays"},
    )


class AchievementFields(Schema):
    """The achievement and category fields every figure carries."""

    achievement = fields.Float(
        attribute="achievement.value",
        allow_none=True,
        metadata={"description": "Percent, 2 decimals; null when not measurable"},
    )
    category = fields.String(
        attribute="achievement.category.code",
        metadata={"example": "sangat_tinggi", "description": "not_measurable when null"},
    )
    category_label = fields.String(
        attribute="achievement.category.label", metadata={"example": "Sangat Tinggi"}
    )
    reason = fields.String(
        attribute="achievement.reason",
        allow_none=True,
        metadata={"enum": ["target_missing", "target_zero", "realization_missing", None]},
    )


class FiguresSchema(AchievementFields):
    """One period of an indicator (dumped from `Figures`)."""

    period = fields.String()
    target = JsonNumber(allow_none=True)
    realization = JsonNumber(allow_none=True)
    target_source = fields.String(
        allow_none=True,
        metadata={**SOURCES, "description": "entered, or (a year) made of its quarters"},
    )
    realization_source = fields.String(allow_none=True, metadata=SOURCES)


class ValueResultSchema(FiguresSchema):
    indicator = fields.String(metadata={"description": "The indicator's code"})


class IndicatorValuesSchema(Schema):
    indicator = fields.Nested(IndicatorSchema)
    values = fields.List(
        fields.Nested(FiguresSchema),
        attribute="periods",
        metadata={"description": "Every period with a stored value, by period"},
    )
    years = fields.List(
        fields.Nested(FiguresSchema),
        metadata={"description": "Each year with values: its own, or made of its quarters"},
    )


class WorksheetRowSchema(AchievementFields):
    indicator = fields.String(attribute="code")
    name = fields.String()
    unit = fields.String()
    polarity = fields.String(metadata={"enum": POLARITY})
    target = JsonNumber(allow_none=True)
    realization = JsonNumber(allow_none=True)


class SummaryFields(Schema):
    average = fields.Float(
        allow_none=True,
        metadata={"description": "Mean of the measurable achievements, 2 decimals"},
    )
    category = fields.String(attribute="category.code")
    category_label = fields.String(attribute="category.label")
    measurable = fields.Integer()
    not_measurable = fields.Integer()


class SectionSheetSchema(SummaryFields):
    code = fields.String()
    name = fields.String()
    rows = fields.List(fields.Nested(WorksheetRowSchema))


class BandSchema(Schema):
    code = fields.String()
    label = fields.String()
    min_achievement = fields.Float(
        allow_none=True, metadata={"description": "Inclusive; null is below every other band"}
    )


class BandInputSchema(StrictSchema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$"),
        metadata={"example": "sangat_tinggi"},
    )
    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=80),
        metadata={"example": "Sangat Tinggi"},
    )
    min_achievement = fields.Float(
        required=True,
        allow_none=True,
        allow_nan=False,
        validate=validate.Range(min=-1_000_000, max=1_000_000),
        metadata={"description": "Inclusive lower bound; null for the lowest band"},
    )


class ScaleInputSchema(StrictSchema):
    bands = fields.List(
        fields.Nested(BandInputSchema), required=True, validate=validate.Length(min=2, max=20)
    )


class ScaleSchema(Schema):
    bands = fields.List(fields.Nested(BandSchema))


class MeasurementSchema(SummaryFields):
    instance_id = fields.Integer()
    period = fields.String()
    sections = fields.List(fields.Nested(SectionSheetSchema))
    bands = fields.List(fields.Nested(BandSchema), metadata={"description": "The scale used"})


IMPORT_ROWS_HELP = (
    'One object per indicator and period: "indicator" (or "code"), "period" (YYYY or '
    'YYYY-Q1..Q4), "realization" and/or "target" as JSON numbers; a value left out or null '
    "stays as stored."
)


class ImportJsonSchema(StrictSchema):
    rows = fields.List(
        fields.Dict(),
        required=True,
        validate=validate.Length(min=1, max=MAX_IMPORT_ROWS),
        metadata={"description": IMPORT_ROWS_HELP},
    )


class ImportFileSchema(StrictSchema):
    file = FilePart(
        required=True,
        metadata={
            "description": "CSV with a header row (indicator or code, period, realization, "
            "target; comma or semicolon separated; numbers as 1234.5 or 1.234,5), an XLSX "
            "workbook (the first sheet with such a header row, which may sit under a title "
            'block), or JSON ({"rows": [...]})'
        },
    )


class ImportResultSchema(Schema):
    applied = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
