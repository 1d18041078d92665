"""What matters to the person, at the top of their overview, for everyone in the network.

A tag, so that the overview page (frontend.views.networks) needs no wellbeing code: the
template passes the network and the viewer it already has. Two queries, whatever is written.
"""

from __future__ import annotations

from typing import Any

from django import template

from caregraph.models import Network
from caregraph.policy import Viewer, what_matters_may_keep
from wellbeing.selectors import what_matters_for

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
