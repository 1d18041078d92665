"""The medicines pages: the list, adding and changing a medicine (and stopping one), its
history, and the coordinator's page to choose who may change the list.

Everything works without JavaScript: each form is answered with a redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caregraph.models import Network
from caregraph.policy import Viewer, people_hidden_from
from caregraph.policy.everyday import medicine_may_choose_editors, medicine_may_edit
from frontend.forms.medicines import MedicineEditorsForm, MedicineForm
from frontend.views.common import (
    action_post,
    audit_view,
    network_context,
    network_for_request,
    page_post,
    posted,
    signed_in_user,
)
from medicines.models import MEDICINE_FIELDS, Medicine, MedicineChange
from medicines.selectors import (
    medicine_editor_candidates,
    medicine_get_for_viewer,
    medicine_history_for_viewer,
    medicine_list_for_viewer,
)
from medicines.services import medicine_add, medicine_editors_set, medicine_update

NO_PAGE = "No such page"
HISTORY_PAGE_SIZE = 50


def _context(network: Network, viewer: Viewer, **more: Any) -> dict[str, Any]:
    return network_context(network, viewer, section="medicines", **more)


def _list_url(network: Network) -> str:
    return reverse("medicine_list", args=[network.pk])


@login_required
@require_GET
def medicine_list_page(request: HttpRequest, network_id: int) -> HttpResponse:
    network, viewer = network_for_request(request, network_id)
    medicines = list(medicine_list_for_viewer(viewer=viewer))
    audit_view(request, network=network, summary="Viewed the medicines", object_type="network")
    return render(
        request,
        "medicines/list.html",
        _context(
            network,
            viewer,
            taken=[medicine for medicine in medicines if not medicine.stopped],
            stopped=[medicine for medicine in medicines if medicine.stopped],
            may_edit=medicine_may_edit(viewer=viewer),
            may_choose_editors=medicine_may_choose_editors(viewer=viewer),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def medicine_add_page(request: HttpRequest, network_id: int) -> HttpResponse:
    network, viewer = network_for_request(request, network_id)
    if not medicine_may_edit(viewer=viewer):
        raise Http404(NO_PAGE)
    form = MedicineForm(posted(request))
    done = page_post(
        request,
        form,
        lambda data: medicine_add(
            network=network, viewer=viewer, added_by=signed_in_user(request), **data
        ),
        success_url=_list_url(network),
        message=lambda medicine: f"{medicine.name} is on the medicines list.",
        refused=NO_PAGE,
    )
    if done is not None:
        return done
    return render(request, "medicines/form.html", _context(network, viewer, form=form))


def _medicine(
    request: HttpRequest, network_id: int, medicine_id: int
) -> tuple[Network, Viewer, Medicine]:
    network, viewer = network_for_request(request, network_id)
    return network, viewer, medicine_get_for_viewer(viewer=viewer, medicine_id=medicine_id)


@login_required
@require_http_methods(["GET", "POST"])
def medicine_edit_page(request: HttpRequest, network_id: int, medicine_id: int) -> HttpResponse:
    network, viewer, medicine = _medicine(request, network_id, medicine_id)
    if not medicine_may_edit(viewer=viewer):
        raise Http404(NO_PAGE)
    form = MedicineForm(posted(request), initial=medicine.as_values())
    done = page_post(
        request,
        form,
        lambda data: medicine_update(
            medicine=medicine, viewer=viewer, changed_by=signed_in_user(request), **data
        ),
        success_url=_list_url(network),
        message=lambda changed: f"{changed.name} is changed.",
        refused=NO_PAGE,
    )
    if done is not None:
        return done
    return render(
        request, "medicines/form.html", _context(network, viewer, form=form, medicine=medicine)
    )


@login_required
@require_POST
def medicine_stop_action(request: HttpRequest, network_id: int, medicine_id: int) -> HttpResponse:
    """Stops a medicine, or starts it again (`stopped` is "1" or "0"): it stays in the list's
    history either way."""
    network, viewer, medicine = _medicine(request, network_id, medicine_id)
    stopped = request.POST.get("stopped") == "1"
    return action_post(
        request,
        lambda: medicine_update(
            medicine=medicine, viewer=viewer, changed_by=signed_in_user(request), stopped=stopped
        ),
        success_url=_list_url(network),
        message=lambda changed: f"{changed.name} is {'stopped' if stopped else 'taken again'}.",
        refused=NO_PAGE,
    )


def _history_rows(changes: list[MedicineChange]) -> list[dict[str, Any]]:
    """Each change with the fields it changed, as label, before and after."""
    rows = []
    for change in changes:
        fields = [
            {
                "label": label,
                "before": change.before.get(field, ""),
                "after": change.after.get(field, ""),
            }
            for field, label in MEDICINE_FIELDS.items()
            if change.before.get(field, "") != change.after.get(field, "")
        ]
        rows.append({"change": change, "fields": fields})
    return rows


@login_required
@require_GET
def medicine_history_page(request: HttpRequest, network_id: int) -> HttpResponse:
    """Every change to the list, newest first: who, when, and what before and after."""
    network, viewer = network_for_request(request, network_id)
    paginator = Paginator(medicine_history_for_viewer(viewer=viewer), HISTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    changes = list(page)
    audit_view(
        request,
        network=network,
        summary="Viewed the history of the medicines",
        object_type="network",
    )
    return render(
        request,
        "medicines/history.html",
        _context(
            network,
            viewer,
            page=page,
            rows=_history_rows(changes),
            hidden_people=people_hidden_from(
                viewer=viewer, user_ids=[change.changed_by_id for change in changes]
            ),
            page_range=list(paginator.get_elided_page_range(page.number, on_ends=1)),
            ellipsis=Paginator.ELLIPSIS,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def medicine_editors_page(request: HttpRequest, network_id: int) -> HttpResponse:
    """The coordinator chooses who else may change the list."""
    network, viewer = network_for_request(request, network_id)
    if not medicine_may_choose_editors(viewer=viewer):
        raise Http404(NO_PAGE)
    candidates = medicine_editor_candidates(viewer=viewer)
    choices = [
        (membership.pk, f"{membership.user} ({membership.get_kind_display().lower()})")
        for membership, _ in candidates
    ]
    form = MedicineEditorsForm(
        posted(request),
        choices=choices,
        initial={"editors": [membership.pk for membership, allowed in candidates if allowed]},
    )
    done = page_post(
        request,
        form,
        lambda data: medicine_editors_set(
            network=network,
            viewer=viewer,
            set_by=signed_in_user(request),
            membership_ids=data["editors"],
        ),
        success_url=_list_url(network),
        message="Saved who can change the medicines.",
        refused=NO_PAGE,
    )
    if done is not None:
        return done
    return render(request, "medicines/editors.html", _context(network, viewer, form=form))
