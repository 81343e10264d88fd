"""format_datetime writes what Babel's CLDR pattern writes, without Babel on each call."""

import random
from datetime import UTC, datetime, timedelta

from babel import dates as babel_dates

from app.rendering.format import LOCALE, format_datetime
from app.services.office_calendar import office_timezone


def test_datetime_matches_babels_pattern(app_ctx):
    """Does every day of the week, month and hour read as Babel's "EEEE, d MMMM y HH.mm"?"""
    rng = random.Random(11)
    start = datetime(2000, 1, 1, tzinfo=UTC)
    moments = [start + timedelta(minutes=rng.randrange(60 * 24 * 365 * 100)) for _ in range(500)]
    for moment in moments:
        for pattern, with_day in (("EEEE, d MMMM y HH.mm", True), ("d MMMM y HH.mm", False)):
            expected = babel_dates.format_datetime(
                moment, pattern, tzinfo=office_timezone(), locale=LOCALE
            )
            assert format_datetime(moment, with_day=with_day) == expected, moment
