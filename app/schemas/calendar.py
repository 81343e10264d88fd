"""Schemas of the office calendar's years and their days off."""

from marshmallow import Schema, fields, post_load, validate

from app.schemas.common import StrictSchema
from app.services.holiday_lists import KIND_WORDS, NAME_MAX, SOURCE_MAX, WORD_OF_KIND, HolidayEntry

KINDS = list(KIND_WORDS)
NOT_BLANK = validate.Regexp(r"\S", error="Must not be blank.")


class HolidayInputSchema(StrictSchema):
    date = fields.Date(required=True, metadata={"example": "2027-01-01"})
    name = fields.String(required=True, validate=[validate.Length(min=1, max=NAME_MAX), NOT_BLANK])
    kind = fields.String(
        required=True,
        validate=validate.OneOf(KINDS),
        metadata={"description": "holiday (libur nasional) or cuti_bersama"},
    )
    estimated = fields.Boolean(
        load_default=False,
        metadata={"description": "The decree's date waits on the sighting of the moon."},
    )

    @post_load
    def make_entry(self, data, **kwargs) -> HolidayEntry:
        return HolidayEntry(
            day=data["date"],
            name=" ".join(data["name"].split()),
            kind=KIND_WORDS[data["kind"]],
            estimated=data["estimated"],
        )


class CalendarYearInputSchema(StrictSchema):
    source = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=SOURCE_MAX), NOT_BLANK],
        metadata={"description": "Where the list comes from, e.g. the year's SKB 3 Menteri"},
    )
    holidays = fields.List(
        fields.Nested(HolidayInputSchema), required=True, validate=validate.Length(max=366)
    )


class HolidaySchema(Schema):
    date = fields.Date(attribute="day")
    name = fields.String()
    kind = fields.Function(lambda row: WORD_OF_KIND[row.kind], metadata={"enum": KINDS})
    estimated = fields.Boolean()


class CalendarYearSchema(Schema):
    year = fields.Integer()
    known = fields.Boolean(
        metadata={
            "description": "False when the office has no list for the year: its due "
            "times count no days off, and pages warn about it."
        }
    )
    source = fields.String(allow_none=True)
    holidays = fields.List(fields.Nested(HolidaySchema))
    working_days = fields.Integer(
        allow_none=True, metadata={"description": "Null when the year is unknown"}
    )
