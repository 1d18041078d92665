"""Reads for safeguarding work: the lead's dashboard across the networks they review. One
network's chronology is in `concerns.chronology`.

It counts and lists only what the reader may see: concerns pass the access policy's
`visibility_filter`, and the networks are those a safeguarding lead reviews. Each read is a
fixed number of queries, however many networks or concerns there are.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, DateField, Exists, Min, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from agencies.models import Agency, Involvement
from caregraph.models import Membership, MembershipStatus, Network, Severity
from caregraph.policy import (
    AnyUser,
    Viewer,
    involvement_open_now,
    lead_viewer_for,
    networks_involving,
    networks_reviewed_by,
    visibility_filter,
)
from concerns.models import (
    Concern,
    ConcernCategory,
    ConcernStatus,
    CumulativeAlert,
)

OPEN_STATUSES = (ConcernStatus.OPEN, ConcernStatus.ACKNOWLEDGED, ConcernStatus.UNDER_REVIEW)
NETWORKS_SHOWN = 25
ALERTS_SHOWN = 25
NO_AGENCY_LABEL = "Family, friends and the person"


# --- Who the dashboard is for, and what it covers --------------------------------------------


@dataclass(frozen=True)
class LeadScope:
    """What one safeguarding lead reviews: networks, and the concerns in them they may see."""

    viewer: Viewer
    networks: QuerySet[Network]
    concerns: QuerySet[Concern]


def lead_scope(*, user: AnyUser, team: Agency | None = None) -> LeadScope | None:
    """The networks a safeguarding lead reviews (those where `team` is involved, if given)
    and the concerns in them they may see; None for anyone who is not a safeguarding lead."""
    viewer = lead_viewer_for(user=user)
    if viewer is None:
        return None
    networks = networks_reviewed_by(user=user)
    if team is not None:
        networks = networks.filter(networks_involving([team.pk]))
    concerns = Concern.objects.filter(network__in=networks).filter(visibility_filter(viewer=viewer))
    return LeadScope(viewer=viewer, networks=networks, concerns=concerns)


def team_list_for_lead(*, user: AnyUser) -> list[Agency]:
    """The agencies and teams involved in the networks the lead reviews, to filter by."""
    if lead_viewer_for(user=user) is None:
        return []
    networks = networks_reviewed_by(user=user)
    involved = Involvement.objects.filter(agency_id=OuterRef("pk"), network__in=networks).filter(
        involvement_open_now()
    )
    member = Membership.objects.filter(
        agency_id=OuterRef("pk"), network__in=networks, status=MembershipStatus.ACTIVE
    )
    return list(Agency.objects.filter(Exists(involved) | Exists(member)).order_by("name", "pk"))


# --- The period and its weeks or months -----------------------------------------------------


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    unit: str  # "week" or "month"
    buckets: int


PERIODS = {
    period.key: period
    for period in (
        Period("4w", "Last 4 weeks", "week", 4),
        Period("13w", "Last 13 weeks", "week", 13),
        Period("6m", "Last 6 months", "month", 6),
        Period("12m", "Last 12 months", "month", 12),
    )
}
DEFAULT_PERIOD = "13w"


def _month_back(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def period_starts(*, period: Period, today: datetime.date) -> list[datetime.date]:
    """The first day of each week (Monday) or month of the period, oldest first; the last is
    the current one."""
    if period.unit == "week":
        monday = today - datetime.timedelta(days=today.weekday())
        return [monday - datetime.timedelta(weeks=n) for n in range(period.buckets - 1, -1, -1)]
    first = today.replace(day=1)
    return [_month_back(first, n) for n in range(period.buckets - 1, -1, -1)]


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(0, 0)))


# --- The dashboard --------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkAttention:
    """A network with urgent or unacknowledged concerns that the lead may see."""

    network: Network
    urgent: int
    unacknowledged: int
    open: int
    oldest_unacknowledged: datetime.datetime | None


@dataclass(frozen=True)
class AcknowledgementTimes:
    """How long concerns of one severity (or all) raised in the period took to acknowledge."""

    label: str
    raised: int
    acknowledged: int
    waiting: int
    median: datetime.timedelta | None
    mean: datetime.timedelta | None


@dataclass(frozen=True)
class Series:
    """Counts per week or month for one category or agency."""

    label: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Dashboard:
    period: Period
    starts: list[datetime.date]
    concerns_in_period: int
    networks_needing_attention: list[NetworkAttention]
    networks_needing_attention_total: int
    alerts_open: list[CumulativeAlert]
    alerts_open_total: int
    alerts_in_period: int
    acknowledgement: list[AcknowledgementTimes]
    by_category: list[Series]
    by_agency: list[Series]


def _networks_needing_attention(scope: LeadScope) -> tuple[list[NetworkAttention], int]:
    """The networks to look at first (most urgent, then longest unacknowledged), and how
    many there are in all."""
    rows = list(
        scope.concerns.filter(status__in=OPEN_STATUSES)
        .values("network_id")
        .annotate(
            urgent=Count("pk", filter=Q(severity=Severity.URGENT)),
            unacknowledged=Count("pk", filter=Q(status=ConcernStatus.OPEN)),
            open=Count("pk"),
            oldest_unacknowledged=Min("raised_at", filter=Q(status=ConcernStatus.OPEN)),
        )
        .filter(Q(urgent__gt=0) | Q(unacknowledged__gt=0))
        .order_by("-urgent", "-unacknowledged", "oldest_unacknowledged", "network_id")
    )
    networks = Network.objects.select_related("person").in_bulk(
        [row["network_id"] for row in rows[:NETWORKS_SHOWN]]
    )
    attention = [
        NetworkAttention(
            network=networks[row["network_id"]],
            urgent=row["urgent"],
            unacknowledged=row["unacknowledged"],
            open=row["open"],
            oldest_unacknowledged=row["oldest_unacknowledged"],
        )
        for row in rows[:NETWORKS_SHOWN]
    ]
    return attention, len(rows)


def _median(values: list[datetime.timedelta]) -> datetime.timedelta | None:
    if not values:
        return None
    seconds = statistics.median(value.total_seconds() for value in values)
    return datetime.timedelta(seconds=round(seconds))


def _mean(values: list[datetime.timedelta]) -> datetime.timedelta | None:
    if not values:
        return None
    seconds = statistics.fmean(value.total_seconds() for value in values)
    return datetime.timedelta(seconds=round(seconds))


def _acknowledgement_times(concerns: QuerySet[Concern]) -> list[AcknowledgementTimes]:
    """Per severity, most serious first, then all together. Only concerns that were ever
    acknowledged count towards the times; withdrawn ones are left out altogether."""
    rows = concerns.exclude(status=ConcernStatus.WITHDRAWN).values_list(
        "severity", "status", "raised_at", "acknowledged_at"
    )
    raised: dict[str, int] = defaultdict(int)
    waiting: dict[str, int] = defaultdict(int)
    taken: dict[str, list[datetime.timedelta]] = defaultdict(list)
    for severity, status, raised_at, acknowledged_at in rows:
        raised[severity] += 1
        if acknowledged_at is not None:
            taken[severity].append(max(acknowledged_at - raised_at, datetime.timedelta(0)))
        elif status == ConcernStatus.OPEN:
            waiting[severity] += 1

    def times(label: str, severities: Iterable[str]) -> AcknowledgementTimes:
        chosen = list(severities)
        durations = [duration for s in chosen for duration in taken[s]]
        return AcknowledgementTimes(
            label=label,
            raised=sum(raised[s] for s in chosen),
            acknowledged=len(durations),
            waiting=sum(waiting[s] for s in chosen),
            median=_median(durations),
            mean=_mean(durations),
        )

    by_severity = [times(str(s.label), [s.value]) for s in reversed(Severity)]
    return [*by_severity, times("All concerns", Severity.values)]


def _series(
    rows: Iterable[dict[str, object]], *, key: str, starts: list[datetime.date], labels: dict
) -> list[Series]:
    """Counts per (bucket, key) spread into one series per key, largest total first."""
    index = {start: position for position, start in enumerate(starts)}
    counts: dict[object, list[int]] = defaultdict(lambda: [0] * len(starts))
    for row in rows:
        bucket = row["bucket"]
        if isinstance(bucket, datetime.datetime):
            bucket = bucket.date()
        if isinstance(bucket, datetime.date) and bucket in index:
            counts[row[key]][index[bucket]] += int(row["n"])  # type: ignore[call-overload]
    series = [Series(label=labels.get(k, str(k)), counts=c) for k, c in counts.items()]
    return sorted(series, key=lambda s: (-s.total, s.label))


def dashboard_for_lead(
    *, scope: LeadScope, period_key: str = DEFAULT_PERIOD, today: datetime.date | None = None
) -> Dashboard:
    """Everything the safeguarding dashboard shows, in a fixed number of queries."""
    period = PERIODS.get(period_key, PERIODS[DEFAULT_PERIOD])
    starts = period_starts(period=period, today=today or timezone.localdate())
    since = _start_of(starts[0])
    in_period = scope.concerns.filter(raised_at__gte=since)
    trunc = TruncWeek if period.unit == "week" else TruncMonth
    bucketed = in_period.annotate(bucket=trunc("raised_at", output_field=DateField()))

    by_category = _series(
        bucketed.values("bucket", "category").annotate(n=Count("pk")).order_by(),
        key="category",
        starts=starts,
        labels={value: str(label) for value, label in ConcernCategory.choices},
    )
    agency_rows = list(
        bucketed.values("bucket", "author_agency_id", "author_agency__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    agency_names = {
        row["author_agency_id"]: row["author_agency__name"] or NO_AGENCY_LABEL
        for row in agency_rows
    }
    by_agency = _series(agency_rows, key="author_agency_id", starts=starts, labels=agency_names)

    attention, attention_total = _networks_needing_attention(scope)
    alerts = CumulativeAlert.objects.filter(network__in=scope.networks)
    open_alerts = list(
        alerts.filter(acknowledged_at__isnull=True)
        .select_related("network__person")
        .order_by("-created_at", "-pk")[: ALERTS_SHOWN + 1]
    )
    open_total = (
        len(open_alerts)
        if len(open_alerts) <= ALERTS_SHOWN
        else alerts.filter(acknowledged_at__isnull=True).count()
    )
    acknowledgement = _acknowledgement_times(in_period)
    return Dashboard(
        period=period,
        starts=starts,
        concerns_in_period=acknowledgement[-1].raised,
        networks_needing_attention=attention,
        networks_needing_attention_total=attention_total,
        alerts_open=open_alerts[:ALERTS_SHOWN],
        alerts_open_total=open_total,
        alerts_in_period=alerts.filter(created_at__gte=since).count(),
        acknowledgement=acknowledgement,
        by_category=by_category,
        by_agency=by_agency,
    )
