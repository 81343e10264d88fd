"""The office calendar: each year's days off, and the admin's replacement of a year's list."""

from app.api.blueprint import Blueprint
from app.auth import api_user
from app.http import client_ip, request_language
from app.schemas.calendar import CalendarYearInputSchema, CalendarYearSchema
from app.services import holiday_lists

blp = Blueprint("calendar", __name__, description="The office's working calendar per year")

YEAR = "<int(min=2000, max=2100):year>"


@blp.route(f"/calendar/{YEAR}")
@blp.response(200, CalendarYearSchema)
def get_year(year):
    """Show a year: whether the office has its list of days off, the source, the days and
    the number of working days."""
    api_user()
    return holiday_lists.year_calendar(year)


@blp.route(f"/calendar/{YEAR}", methods=["PUT"])
@blp.arguments(CalendarYearInputSchema)
@blp.response(200, CalendarYearSchema)
@blp.error_responses(
    e403="Only an admin",
    e409="conflict",
    e422="calendar_invalid (details.errors: row, field, code, message for every date outside "
    "the year or listed twice), validation_error",
)
def replace_year(body, year):
    """Replace a year's list of days off and its source; tasks already open keep their due
    time, new ones use the new list."""
    user = api_user()
    try:
        return holiday_lists.replace_year(
            year, source=body["source"], holidays=body["holidays"], actor=user, ip=client_ip()
        )
    except holiday_lists.HolidaysRejected as rejected:
        raise rejected.in_language(request_language()) from None
