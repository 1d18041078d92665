"""The long lists of the concerns list, the chronology and the calendar month, rendered in
Python (see `frontend.fragments`): one `format_html` a row instead of a dozen or more
template nodes, with the same GOV.UK markup the templates had, every value escaped.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaksbr, truncatechars
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from concerns.chronology import ChronologyEntry
from concerns.models import Concern

CHRONOLOGY_KIND_LABELS = {"concerns": "Concern", "involvement": "Agency involvement"}
DETAIL_SHOWN_CHARACTERS = 600


def _joined(parts: Iterable[SafeString]) -> SafeString:
    return mark_safe("".join(parts))  # noqa: S308 (each part escaped)  # nosec B308 B703


# What Django's `date` filter writes for "F" in English, the service's one language. The
# lists below write their dates directly: through the filter, formatting was a third of
# rendering a 370-entry chronology.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _long_date(day: datetime.date) -> str:
    """`{{ day|date:"j F Y" }}`."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _local(value: datetime.datetime) -> tuple[str, str, str]:
    """In the current time zone: what `{{ value|date:"c" }}`, `{{ value|date:"j F Y" }}`
    and `{{ value|date:"H:i" }}` show."""
    moment = timezone.localtime(value)
    return moment.isoformat(), _long_date(moment), f"{moment.hour:02d}:{moment.minute:02d}"


# --- The concerns list ----------------------------------------------------------------------


def _concern_row(row: Mapping[str, Any], *, network_id: int) -> SafeString:
    concern: Concern = row["concern"]
    raised_iso, raised_day, raised_time = _local(concern.raised_at)
    return format_html(
        '<tr class="govuk-table__row" id="concern-{pk}" data-concern-id="{pk}">'
        '<th scope="row" class="govuk-table__header"><a class="govuk-link" href="{url}" '
        'data-field="category">{category}</a></th>'
        '<td class="govuk-table__cell"><strong class="govuk-tag {severity_tag}" '
        'data-field="severity">{severity}</strong></td>'
        '<td class="govuk-table__cell"><strong class="govuk-tag {status_tag}" '
        'data-field="status">{status}</strong></td>'
        '<td class="govuk-table__cell" data-field="raised_at"><time datetime="{raised_iso}">'
        "{raised}</time></td>"
        '<td class="govuk-table__cell" data-field="raised_by">{raised_by}</td></tr>\n',
        pk=concern.pk,
        url=reverse("concern_detail", args=[network_id, concern.pk]),
        category=concern.get_category_display(),
        severity_tag=row["severity_tag"],
        severity=concern.get_severity_display(),
        status_tag=row["status_tag"],
        status=concern.get_status_display(),
        raised_iso=raised_iso,
        raised=f"{raised_day} at {raised_time}",
        raised_by=str(concern.created_by) if concern.created_by else "",
    )


def concern_rows_html(rows: Iterable[Mapping[str, Any]], *, network_id: int) -> SafeString:
    """The rows of the concerns table (`frontend/concerns/list.html`)."""
    return _joined(_concern_row(row, network_id=network_id) for row in rows)


# --- The chronology -------------------------------------------------------------------------


def _chronology_entry(entry: ChronologyEntry) -> SafeString:
    if entry.date_only:
        when_iso, when = entry.on.isoformat(), _long_date(entry.on)
    else:
        when_iso, day, clock = _local(entry.at)
        when = f"{day}, {clock}"
    title = (
        format_html('<a class="govuk-link" href="{}">{}</a>', entry.url, entry.title)
        if entry.url
        else entry.title
    )
    tag = (
        format_html(
            ' <strong class="govuk-tag {} app-tag-after">{}</strong>', entry.tag_class, entry.tag
        )
        if entry.tag
        else ""
    )
    detail = (
        format_html(
            '<p class="govuk-body app-chronology__detail">{}</p>',
            linebreaksbr(truncatechars(entry.detail, DETAIL_SHOWN_CHARACTERS), autoescape=True),
        )
        if entry.detail
        else ""
    )
    by = (
        format_html('<p class="govuk-body-s app-chronology__by">By {}</p>', entry.by)
        if entry.by
        else ""
    )
    return format_html(
        '<li class="app-chronology__item app-chronology__item--{kind}">'
        '<p class="govuk-body-s app-chronology__when"><time datetime="{when_iso}">{when}</time>\n'
        '<span class="app-chronology__kind">{kind_label}</span></p>'
        '<h3 class="govuk-heading-s app-chronology__title">{title}{tag}</h3>{detail}{by}</li>\n',
        kind=entry.kind,
        when_iso=when_iso,
        when=when,
        kind_label=CHRONOLOGY_KIND_LABELS.get(entry.kind, "Membership"),
        title=title,
        tag=tag,
        detail=detail,
        by=by,
    )


def chronology_html(entries: Iterable[ChronologyEntry]) -> SafeString:
    """The chronology's entries as its ordered list (`frontend/concerns/chronology.html`)."""
    return format_html(
        '<ol class="app-chronology">\n{}</ol>', _joined(_chronology_entry(e) for e in entries)
    )


# --- The calendar month ---------------------------------------------------------------------


def _grid_link(row: Any) -> SafeString:
    """One occurrence in a day of the grid (as `calendars/_grid_link.html`)."""
    time = (
        ""
        if row.event.all_day
        else format_html('<span class="app-grid__time">{}</span> ', _local(row.occurrence.start)[2])
    )
    return format_html(
        '<li><a class="govuk-link app-grid__event" href="{}">{}{}</a></li>',
        row.url,
        time,
        row.occurrence.title,
    )


def _month_day(day: Any) -> SafeString:
    classes = "govuk-table__cell app-grid__day"
    if not day.in_month:
        classes += " app-grid__day--other"
    if day.is_today:
        classes += " app-grid__day--today"
    today = mark_safe('<span class="govuk-visually-hidden"> (today)</span>') if day.is_today else ""  # nosec B308 B703
    events = (
        format_html(
            '<ul class="govuk-list app-grid__events">{}</ul>',
            _joined(_grid_link(row) for row in day.rows),
        )
        if day.rows
        else ""
    )
    return format_html(
        '<td class="{}"><span class="app-grid__date"><span class="govuk-visually-hidden">{} '
        '</span>{}<span class="govuk-visually-hidden"> {}</span>{}</span>{}</td>',
        classes,
        date_filter(day.date, "l"),
        day.date.day,
        date_filter(day.date, "F"),
        today,
        events,
    )


def month_weeks_html(weeks: Iterable[Iterable[Any]]) -> SafeString:
    """The month grid's table rows, a week each (`calendars/month.html`)."""
    return _joined(
        format_html(
            '<tr class="govuk-table__row">{}</tr>\n', _joined(_month_day(day) for day in week)
        )
        for week in weeks
    )
