"""The calendar's part of a person's overview: what is coming up, and the no-contact notice.

A tag, so that the overview page (frontend.views.networks) needs no calendar code: the
template passes the network and the viewer it already has. It costs the same few queries
however many events the network holds.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from calendars.selectors import (
    event_occurrence_list_visible_to,
    network_contact_gap,
    task_open_list_visible_to,
)
from caregraph.models import Network
from caregraph.policy import Viewer
from frontend.fragments import fragment_cached
from frontend.views.calendars.occurrences import rows_for

register = template.Library()

COMING_UP_DAYS = 14
COMING_UP_SHOWN = 3


@register.inclusion_tag("calendars/_overview_contact_gap.html")
def calendar_contact_gap(network: Network, viewer: Viewer) -> dict[str, Any]:
    """For professionals, the days without a professional visit held or booked, once there
    have been too many. Family are not shown it: it counts visits they may not see."""
    gap = network_contact_gap(network=network) if viewer.is_professional else None
    return {"network": network, "viewer": viewer, "contact_gap": gap}


def _coming_up(network: Network, viewer: Viewer, now: datetime.datetime) -> str:
    occurrences = event_occurrence_list_visible_to(
        viewer=viewer, after=now, before=now + datetime.timedelta(days=COMING_UP_DAYS)
    )
    rows = rows_for(network=network, viewer=viewer, occurrences=occurrences[:COMING_UP_SHOWN])
    return render_to_string(
        "calendars/_overview_coming_up.html",
        {
            "network": network,
            "viewer": viewer,
            "rows": rows,
            "more": len(occurrences) > COMING_UP_SHOWN,
            "days": COMING_UP_DAYS,
        },
    )


@register.simple_tag
def calendar_coming_up(network: Network, viewer: Viewer) -> SafeString:
    """The next few occurrences the viewer may see. Events change only through the
    network's events, so the rendered list is kept for this state of the network and these
    audiences, and for the minute: an occurrence that has begun leaves it within a minute."""
    minute = timezone.now().replace(second=0, microsecond=0)
    return mark_safe(  # noqa: S308 (rendered by the template, escaped)  # nosec B308 B703
        fragment_cached(
            "overview-coming-up",
            network=network,
            viewer=viewer,
            render=lambda: _coming_up(network, viewer, timezone.now()),
            vary=(minute,),
        )
    )


@register.inclusion_tag("calendars/_overview_open_tasks.html")
def calendar_open_tasks(network: Network, viewer: Viewer) -> dict[str, Any]:
    """The soonest tasks the viewer may see that nobody has signed up for yet."""
    tasks = list(task_open_list_visible_to(viewer=viewer)[: COMING_UP_SHOWN + 1])
    return {
        "network": network,
        "viewer": viewer,
        "tasks": tasks[:COMING_UP_SHOWN],
        "more": len(tasks) > COMING_UP_SHOWN,
    }
