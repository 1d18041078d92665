"""What matters to the person, at the top of their overview, for everyone in the network;
and, on the family-first overview, the latest wellbeing updates.

A tag, so that the overview page (frontend.views.networks) needs no wellbeing code: the
template passes the network and the viewer it already has. Two queries, whatever is written.
"""

from __future__ import annotations

from typing import Any

from django import template

from caregraph.models import Network
from caregraph.policy import Viewer, what_matters_may_keep
from wellbeing.selectors import update_rows, wellbeing_update_list_visible_to, what_matters_for

register = template.Library()


@register.inclusion_tag("wellbeing/_overview_what_matters.html")
def what_matters_overview(network: Network, viewer: Viewer) -> dict[str, Any]:
    entries = what_matters_for(viewer=viewer, network=network)
    return {
        "network": network,
        "person": network.person,
        "viewer": viewer,
        "entries": entries,
        "any_note": any(entry.note for entry in entries),
        "may_keep": what_matters_may_keep(viewer=viewer),
    }


LATEST_UPDATES = 3


@register.inclusion_tag("wellbeing/_overview_latest.html")
def wellbeing_latest(network: Network, viewer: Viewer) -> dict[str, Any]:
    """The newest few updates this viewer may see, as the Updates page shows them (read
    only here: replying and reacting are on that page). A fixed number of queries."""
    updates = wellbeing_update_list_visible_to(viewer=viewer)[:LATEST_UPDATES]
    return {
        "network": network,
        "viewer": viewer,
        "rows": update_rows(viewer=viewer, updates=updates),
        "may_answer": False,
    }
