"""The long lists write their dates without Django's `date` filter (`frontend.fragments_pages`):
they must read exactly as the filter wrote them, in the time zone the page is shown in."""

from __future__ import annotations

import datetime
import zoneinfo

from django.template.defaultfilters import date as date_filter
from django.utils import timezone

from frontend.fragments_pages import _local, _long_date

UTC = datetime.UTC
# Every month, both of London's clock changes and their hours, midnight and a minute before.
MOMENTS = [
    *(datetime.datetime(2026, month, 9, 8, 5, tzinfo=UTC) for month in range(1, 13)),
    datetime.datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
    datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime.datetime(2026, 10, 25, 0, 59, tzinfo=UTC),
    datetime.datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    datetime.datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime.datetime(2027, 1, 1, 0, 0, tzinfo=UTC),
]


def test_times_read_as_the_date_filter_wrote_them_in_each_zone() -> None:
    for zone in ("Europe/London", "UTC", "America/New_York", "Asia/Kolkata"):
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            for moment in MOMENTS:
                local = timezone.localtime(moment)
                expected = (
                    date_filter(local, "c"),
                    date_filter(local, "j F Y"),
                    date_filter(local, "H:i"),
                )
                assert _local(moment) == expected, (zone, moment)


def test_days_read_as_the_date_filter_wrote_them() -> None:
    day = datetime.date(2026, 1, 1)
    while day.year == 2026:
        assert _long_date(day) == date_filter(day, "j F Y")
        assert day.isoformat() == date_filter(day, "Y-m-d")
        day += datetime.timedelta(days=1)
