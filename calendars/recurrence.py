"""Local times, repeat rules and their occurrences: plain functions, no database.

A series is defined in local wall-clock time in its time zone, as RFC 5545 says: a weekly
visit at 10:00 in Europe/London is at 10:00 local time every week, 09:00 UTC in summer and
10:00 UTC in winter. Occurrences are worked out on naive local times with dateutil and only
then given their zone.

Two local times need a rule, and the rules are RFC 5545's, so that our expansion and every
calendar app that reads our feeds agree:

- a time that does not exist (inside the hour the clocks skip in spring) is refused when
  someone types it; an occurrence of a series that lands there is read with the offset
  before the gap, so 01:30 becomes 02:30 BST;
- a time that happens twice (inside the hour repeated in autumn) is the first of the two,
  the one still in summer time: 01:30 on 25 October 2026 is 00:30 UTC.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule as RRule  # type: ignore[import-untyped]
from dateutil.rrule import rrulestr  # type: ignore[import-untyped]
from django.core.exceptions import ValidationError

UTC = datetime.UTC

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
PARTS_ALLOWED: tuple[str, ...] = (
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
)
OCCURRENCES_MAX = 1000
INTERVAL_MAX = 99
SERIES_YEARS_MAX = 10
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
BYDAY_ENTRY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")


def zone_get(name: str, *, field: str = "timezone") -> ZoneInfo:
    """The named IANA time zone, or a plain error beside `field`."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as unknown:
        raise ValidationError(
            {field: [f"'{name}' is not a time zone we know, for example Europe/London"]}
        ) from unknown


def local_naive(value: datetime.datetime, zone: ZoneInfo) -> datetime.datetime:
    """An aware datetime as the wall-clock time it shows in `zone`, without a zone."""
    return value.astimezone(zone).replace(tzinfo=None)


def localise(naive: datetime.datetime, zone: ZoneInfo) -> datetime.datetime:
    """A wall-clock time in `zone` as the instant RFC 5545's rules make it (see the module's
    note), in UTC: Python never finds a time inside a repeated or skipped hour equal to one
    in another zone (PEP 495), so every instant we compare is kept in UTC."""
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


def local_time_exists(naive: datetime.datetime, zone: ZoneInfo) -> bool:
    return local_naive(localise(naive, zone), zone) == naive


def _gap_message(naive: datetime.datetime, zone: ZoneInfo) -> str:
    before = localise(naive, zone)
    # Walk to the first minute that exists after the gap, to tell the user where it ends.
    after = naive
    while not local_time_exists(after, zone):
        after += datetime.timedelta(minutes=1)
    gap_start = after - (local_naive(before, zone) - naive)
    return (
        f"{naive:%H:%M} on {naive:%-d %B %Y} does not exist in {zone.key} time: the clocks go "
        f"forward from {gap_start:%H:%M} to {after:%H:%M} that night. Choose a time before "
        f"{gap_start:%H:%M} or from {after:%H:%M}"
    )


YEAR_FIRST, YEAR_LAST = 1900, 2199


def calendar_year_check(value: datetime.datetime | datetime.date, *, field: str) -> None:
    """Refuses times at the ends of the calendar, which overflow once moved between zones
    or repeated, and which no care plan means."""
    if not YEAR_FIRST <= value.year <= YEAR_LAST:
        raise ValidationError({field: [f"Give a date between {YEAR_FIRST} and {YEAR_LAST}"]})


def local_time_resolve(
    value: datetime.datetime | datetime.date, *, zone: ZoneInfo, field: str
) -> datetime.datetime:
    """The instant (in UTC) of a time someone entered.

    An aware value is taken as the instant it names. A naive one is wall-clock time in
    `zone`: a time inside the spring gap is refused beside `field`; an autumn time that
    happens twice is the first of the two (summer time). A date is its local midnight.
    """
    calendar_year_check(value, field=field)
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time())
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value.astimezone(UTC)
    if not local_time_exists(value, zone):
        raise ValidationError({field: [_gap_message(value, zone)]})
    return localise(value, zone)


# --- Repeat rules ---------------------------------------------------------------------------


def _rule_error(message: str) -> ValidationError:
    return ValidationError({"rrule": [message]})


def _parts_parse(text: str) -> dict[str, str]:
    text = text.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if not text or "\n" in text or "\r" in text:
        raise _rule_error("A repeat rule is one line, for example FREQ=WEEKLY;COUNT=10")
    parts: dict[str, str] = {}
    for piece in text.strip(";").split(";"):
        key, equals, value = piece.partition("=")
        key, value = key.strip().upper(), value.strip().upper()
        if not equals or not key or not value:
            raise _rule_error(
                f"'{piece}' is not a part of a repeat rule: each part is NAME=VALUE, "
                "for example FREQ=WEEKLY;BYDAY=TU"
            )
        if key in parts:
            raise _rule_error(f"{key} is given twice")
        if key not in PARTS_ALLOWED:
            raise _rule_error(
                f"{key} is not supported: use {', '.join(PARTS_ALLOWED[:-1])} or WKST"
            )
        parts[key] = value
    return parts


def _int_part(parts: dict[str, str], key: str, *, low: int, high: int, what: str) -> int | None:
    if key not in parts:
        return None
    try:
        number = int(parts[key])
    except ValueError as not_a_number:
        raise _rule_error(f"{key} must be a whole number") from not_a_number
    if not low <= number <= high:
        raise _rule_error(f"{what} must be from {low} to {high}")
    return number


def _until_parse(value: str, *, zone: ZoneInfo, all_day: bool) -> datetime.datetime | datetime.date:
    """UNTIL as RFC 5545 wants it stored: a date for all-day events, else a UTC time."""
    try:
        if re.fullmatch(r"\d{8}", value):
            day = datetime.datetime.strptime(value, "%Y%m%d").date()
            if all_day:
                return day
            # The whole of that local day is included.
            last = datetime.datetime.combine(day, datetime.time(23, 59, 59))
            return localise(last, zone).astimezone(UTC)
        if re.fullmatch(r"\d{8}T\d{6}Z", value):
            moment = datetime.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        elif re.fullmatch(r"\d{8}T\d{6}", value):
            naive = datetime.datetime.strptime(value, "%Y%m%dT%H%M%S")
            moment = localise(naive, zone).astimezone(UTC)
        else:
            raise ValueError(value)
    except ValueError as unreadable:
        raise _rule_error(
            "UNTIL must be a date like 20270131, or a time like 20270131T100000Z"
        ) from unreadable
    return moment.astimezone(zone).date() if all_day else moment


def _days_in_month(day: datetime.date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def _byday_matches(entry: str, day: datetime.date, *, freq: str, by_month: bool) -> bool:
    found = BYDAY_ENTRY.match(entry)
    if found is None:
        raise _rule_error(f"BYDAY: '{entry}' is not a day such as MO, TU or 2TU")
    ordinal, weekday = found.groups()
    if WEEKDAYS.index(weekday) != day.weekday():
        return False
    if not ordinal:
        return True
    nth = int(ordinal)
    if freq in ("DAILY", "WEEKLY") or nth == 0 or abs(nth) > 53:
        raise _rule_error(
            f"BYDAY: '{entry}' counts weekdays, which works only with FREQ=MONTHLY or YEARLY"
        )
    if freq == "MONTHLY" or by_month:
        position, last = day.day, _days_in_month(day)
    else:
        position = day.timetuple().tm_yday
        last = 366 if calendar.isleap(day.year) else 365
    if nth > 0:
        return (position - 1) // 7 + 1 == nth
    return (last - position) // 7 + 1 == -nth


def _start_fits(parts: dict[str, str], day: datetime.date) -> bool:
    """Whether the first day passes every BY filter: checked without iterating, since
    dateutil searches until the year 9999 for a rule that never happens."""
    freq = parts["FREQ"]
    try:
        months = [int(each) for each in parts["BYMONTH"].split(",")] if "BYMONTH" in parts else []
        month_days = (
            [int(each) for each in parts["BYMONTHDAY"].split(",")] if "BYMONTHDAY" in parts else []
        )
    except ValueError as not_numbers:
        raise _rule_error("BYMONTH and BYMONTHDAY are lists of numbers") from not_numbers
    if any(not 1 <= month <= 12 for month in months):
        raise _rule_error("BYMONTH: months are numbered 1 to 12")
    if any(not 1 <= abs(month_day) <= 31 for month_day in month_days):
        raise _rule_error("BYMONTHDAY: days are numbered 1 to 31, or -1 to -31 from the end")
    if months and day.month not in months:
        return False
    last = _days_in_month(day)
    if month_days and not any(
        day.day == (each if each > 0 else last + each + 1) for each in month_days
    ):
        return False
    if "BYDAY" in parts:
        entries = parts["BYDAY"].split(",")
        matches = [
            _byday_matches(entry, day, freq=freq, by_month=bool(months)) for entry in entries
        ]
        if not any(matches):
            return False
    return True


@dataclass(frozen=True)
class RuleChecked:
    """A repeat rule in its stored form, and whether it ends."""

    text: str
    is_bounded: bool


def rrule_check(
    text: str, *, start: datetime.datetime, zone: ZoneInfo, all_day: bool
) -> RuleChecked:
    """Reads a repeat rule for a series starting at `start`, or refuses it beside `rrule`.

    Accepted: FREQ of DAILY, WEEKLY, MONTHLY or YEARLY (nothing finer: an event does not
    repeat every second), an INTERVAL up to 99, and at most 1,000 occurrences within ten
    years when it ends by COUNT or UNTIL; a rule without an end repeats until it is changed.
    The start must be the first occurrence, so that every calendar app shows the same days.
    """
    parts = _parts_parse(text)
    freq = parts.get("FREQ")
    if freq is None:
        raise _rule_error("Say how often it repeats, for example FREQ=WEEKLY")
    if freq not in FREQUENCIES:
        raise _rule_error(
            f"An event can repeat daily, weekly, monthly or yearly (FREQ=DAILY, WEEKLY, "
            f"MONTHLY or YEARLY), not {freq}"
        )
    if "COUNT" in parts and "UNTIL" in parts:
        raise _rule_error("Give COUNT or UNTIL to end the repeats, not both")
    if "BYMONTHDAY" in parts and freq == "WEEKLY":
        raise _rule_error("BYMONTHDAY does not go with FREQ=WEEKLY: use BYDAY, or FREQ=MONTHLY")
    if "BYSETPOS" in parts and freq not in ("MONTHLY", "YEARLY"):
        raise _rule_error("BYSETPOS works only with FREQ=MONTHLY or YEARLY")
    _int_part(parts, "INTERVAL", low=1, high=INTERVAL_MAX, what="INTERVAL")
    _int_part(parts, "COUNT", low=1, high=OCCURRENCES_MAX, what="The number of occurrences")
    if "WKST" in parts and parts["WKST"] not in WEEKDAYS:
        raise _rule_error("WKST must be a day such as MO")
    start_local = local_naive(start, zone)
    if "UNTIL" in parts:
        until = _until_parse(parts["UNTIL"], zone=zone, all_day=all_day)
        until_local = (
            until if not isinstance(until, datetime.datetime) else local_naive(until, zone).date()
        )
        if until_local < start_local.date():
            raise _rule_error("UNTIL is before the event starts")
        if until_local > start_local.date() + datetime.timedelta(days=366 * SERIES_YEARS_MAX):
            raise _rule_error(f"A series can run for at most {SERIES_YEARS_MAX} years")
        parts["UNTIL"] = (
            until.strftime("%Y%m%dT%H%M%SZ")
            if isinstance(until, datetime.datetime)
            else until.strftime("%Y%m%d")
        )
    if not _start_fits(parts, start_local.date()):
        raise _rule_error(
            f"The event starts on {start_local:%A %-d %B %Y}, which is not one of the days this "
            "rule repeats on: start on one of them, or change the rule"
        )
    order = ["FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTH", "BYMONTHDAY", "BYDAY"]
    order += ["BYSETPOS", "WKST"]
    canonical = ";".join(f"{key}={parts[key]}" for key in order if key in parts)
    try:
        rule = _dateutil_rule(canonical, start_local, zone.key)
        first = next(iter(rule), None)
    except (ValueError, TypeError) as unreadable:
        named = re.search(r"'([A-Z]+)'", str(unreadable))
        where = f": check {named.group(1)}" if named else ""
        raise _rule_error(f"This repeat rule cannot be read{where}") from unreadable
    if first != start_local:
        raise _rule_error(
            f"The event starts on {start_local:%A %-d %B %Y}, which is not the first time this "
            "rule repeats: start on the first one, or change the rule"
        )
    bounded = "COUNT" in parts or "UNTIL" in parts
    if bounded:
        for number, _occurrence in enumerate(rule, start=1):
            if number > OCCURRENCES_MAX:
                raise _rule_error(f"A series can have at most {OCCURRENCES_MAX} occurrences")
    return RuleChecked(text=canonical, is_bounded=bounded)


@functools.lru_cache(maxsize=4096)
def _dateutil_rule(text: str, start_local: datetime.datetime, zone_key: str) -> RRule:
    """dateutil's rule on naive local times: UNTIL, stored in UTC, is turned local first."""
    zone = ZoneInfo(zone_key)
    pieces = []
    for piece in text.split(";"):
        key, _, value = piece.partition("=")
        if key == "UNTIL" and value.endswith("Z"):
            moment = datetime.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            value = local_naive(moment, zone).strftime("%Y%m%dT%H%M%S")
        elif key == "UNTIL":
            value = f"{value}T235959"
        pieces.append(f"{key}={value}")
    rule = rrulestr(";".join(pieces), dtstart=start_local, cache=False)
    assert isinstance(rule, RRule)
    return rule


# --- Occurrences ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """What expansion needs to know of an event."""

    start: datetime.datetime
    end: datetime.datetime
    zone: ZoneInfo
    rrule: str = ""

    @property
    def start_local(self) -> datetime.datetime:
        return local_naive(self.start, self.zone)

    @property
    def length_local(self) -> datetime.timedelta:
        """Wall-clock length: an hour-long visit is an hour long on the local clock."""
        return local_naive(self.end, self.zone) - self.start_local

    def end_for(self, start: datetime.datetime) -> datetime.datetime:
        return localise(local_naive(start, self.zone) + self.length_local, self.zone)


def occurrence_starts(
    series: Series, *, after: datetime.datetime, before: datetime.datetime
) -> list[datetime.datetime]:
    """The original starts of the occurrences that overlap [after, before), in order."""
    if not series.rrule:
        overlaps = series.start < before and series.end > after
        return [series.start] if overlaps else []
    rule = _dateutil_rule(series.rrule, series.start_local, series.zone.key)
    slack = datetime.timedelta(days=1)
    window_start = local_naive(after, series.zone) - series.length_local - slack
    window_end = local_naive(before, series.zone) + slack
    starts = []
    for naive in rule.between(window_start, window_end, inc=True):
        start = localise(naive, series.zone)
        if start < before and series.end_for(start) > after:
            starts.append(start)
    return starts


def occurrence_exists(series: Series, *, original_start: datetime.datetime) -> bool:
    """Whether the series has an occurrence that starts at exactly this instant."""
    window_end = original_start + datetime.timedelta(seconds=1)
    return original_start in occurrence_starts(series, after=original_start, before=window_end)


def series_last_end(series: Series) -> datetime.datetime | None:
    """When the last occurrence ends, or None for a series that repeats without end."""
    if not series.rrule:
        return series.end
    if "COUNT=" not in series.rrule and "UNTIL=" not in series.rrule:
        return None
    rule = _dateutil_rule(series.rrule, series.start_local, series.zone.key)
    last = None
    for last in rule:  # noqa: B007 - bounded by rrule_check to OCCURRENCES_MAX
        pass
    if last is None:
        return series.end
    return series.end_for(localise(last, series.zone))
