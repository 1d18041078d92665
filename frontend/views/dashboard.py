"""The safeguarding lead's dashboard: what needs looking at now across the networks they
review, and the patterns of concerns over the period, drawn and tabled."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from caregraph.models import AuditAction
from caregraph.services.audit import audit_record
from concerns.dashboard import dashboard_for_lead, lead_scope, team_list_for_lead
from frontend.charts import bar_rows, columns_rows, duration_words
from frontend.forms.concerns import DashboardFilterForm
from frontend.views.common import signed_in_user


def _bucket_names(unit: str, starts: list[datetime.date]) -> tuple[list[str], list[str]]:
    """Short names for table headings and full ones for screen readers."""
    if unit == "week":
        return (
            [f"{start:%-d %b}" for start in starts],
            [f"week starting {start:%-d %B %Y}" for start in starts],
        )
    return [f"{start:%b %Y}" for start in starts], [f"{start:%B %Y}" for start in starts]


def _series_caption(unit: str, long_names: list[str]) -> str:
    the = "the " if unit == "week" else ""
    return (
        f"Concerns raised each {unit}, from {the}{long_names[0]} to {the}{long_names[-1]}. "
        "Every row is drawn to the same scale; the numbers are in the table below."
    )


@login_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """For safeguarding leads only; anyone else is told there is no such page."""
    user = signed_in_user(request)
    teams = team_list_for_lead(user=user)
    form = DashboardFilterForm(request.GET if request.GET else None, teams=teams)
    scope = lead_scope(user=user, team=form.team_chosen)
    if scope is None:
        raise Http404("No such page")
    dashboard = dashboard_for_lead(scope=scope, period_key=form.period_chosen)
    short_names, long_names = _bucket_names(dashboard.period.unit, dashboard.starts)
    # The people whose concerns are listed: each sees in their audit trail that a lead looked.
    for row in dashboard.networks_needing_attention:
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            summary="Seen on the safeguarding dashboard",
            object_type="network",
            object_id=row.network.pk,
            network=row.network,
            request=request,
        )
    acknowledgement_bars = bar_rows(
        id_prefix="acknowledge",
        bars=[
            (
                times.label,
                times.median.total_seconds() if times.median is not None else None,
                duration_words(times.median) if times.acknowledged else "None acknowledged",
            )
            for times in dashboard.acknowledgement[:-1]
        ],
        measure="median time to acknowledge",
    )
    return render(
        request,
        "frontend/dashboard/dashboard.html",
        {
            "form": form,
            "dashboard": dashboard,
            "team": form.team_chosen,
            "buckets": [
                {"short": short, "long": long}
                for short, long in zip(short_names, long_names, strict=True)
            ],
            "series_caption": _series_caption(dashboard.period.unit, long_names),
            "category_rows": columns_rows(
                id_prefix="category",
                series=[(s.label, s.counts) for s in dashboard.by_category],
                bucket_names=long_names,
            ),
            "agency_rows": columns_rows(
                id_prefix="agency",
                series=[(s.label, s.counts) for s in dashboard.by_agency],
                bucket_names=long_names,
            ),
            "acknowledgement_bars": acknowledgement_bars,
            "acknowledgement_rows": [
                {
                    "times": times,
                    "median": duration_words(times.median),
                    "mean": duration_words(times.mean),
                }
                for times in dashboard.acknowledgement
            ],
        },
    )
