"""Wellbeing updates: the list (live), posting one with photos, replies and reactions, the
author narrowing who sees it; the photos, only through a view that asks the policy each
time; and what matters to the person. Every page works without JavaScript: plain forms that
POST and redirect.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caregraph.models import Network
from caregraph.policy import (
    Viewer,
    wellbeing_may_answer,
    wellbeing_may_post,
    wellbeing_update_may_change,
    wellbeing_visibilities_allowed,
    what_matters_may_keep,
)
from frontend.forms.wellbeing import (
    WellbeingReactionForm,
    WellbeingUpdateForm,
    WellbeingVisibilityForm,
    WhatMattersForm,
)
from frontend.views.common import (
    action_post,
    audit_view,
    network_context,
    network_for_request,
    page_post,
    posted,
    signed_in_user,
)
from wellbeing.models import WellbeingUpdate
from wellbeing.photos import photo_storage
from wellbeing.selectors import (
    update_rows,
    wellbeing_photo_get_for_viewer,
    wellbeing_update_get_for_viewer,
    wellbeing_update_list_visible_to,
    what_matters_for,
)
from wellbeing.services import (
    wellbeing_reaction_set,
    wellbeing_reply_add,
    wellbeing_update_post,
    wellbeing_update_visibility_set,
    what_matters_set,
)

LIST_PAGE_SIZE = 20
PHOTO_SIZES = ("thumbnail", "full")


def _list_url(network: Network, update_id: int | None = None) -> str:
    url = reverse("wellbeing_list", args=[network.pk])
    return f"{url}#update-{update_id}" if update_id else url


@login_required
@require_http_methods(["GET", "POST"])
def wellbeing_list_page(request: HttpRequest, network_id: int) -> HttpResponse:
    """Updates on how the person is, newest first, with the form to post one at the top.
    New updates, replies and reactions from others arrive live."""
    network, viewer = network_for_request(request, network_id)
    may_post = wellbeing_may_post(viewer=viewer)
    if request.method == "POST" and not may_post:
        raise Http404("No such page")
    live_sequence = network.last_sequence
    form = WellbeingUpdateForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        visibilities=wellbeing_visibilities_allowed(viewer=viewer),
    )
    done = page_post(
        request,
        form,
        lambda data: wellbeing_update_post(
            network=network,
            viewer=viewer,
            posted_by=signed_in_user(request),
            text=data["text"],
            visibility=data["visibility"],
            photos=data["photos"],
        ),
        success_url=lambda update: _list_url(network, update.pk),
        message="Your update has been posted.",
        refused="No such page",
    )
    if done is not None:
        return done
    paginator = Paginator(wellbeing_update_list_visible_to(viewer=viewer), LIST_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    audit_view(request, network=network, summary="Viewed the wellbeing updates")
    return render(
        request,
        "wellbeing/list.html",
        network_context(
            network,
            viewer,
            form=form,
            may_post=may_post,
            may_answer=wellbeing_may_answer(viewer=viewer),
            page=page,
            rows=update_rows(viewer=viewer, updates=page),
            live_sequence=live_sequence,
            section="wellbeing",
        ),
    )


def _update(
    request: HttpRequest, network_id: int, update_id: int
) -> tuple[WellbeingUpdate, Viewer]:
    _network, viewer = network_for_request(request, network_id)
    return wellbeing_update_get_for_viewer(viewer=viewer, update_id=update_id), viewer


@login_required
@require_POST
def wellbeing_reply_action(request: HttpRequest, network_id: int, update_id: int) -> HttpResponse:
    update, viewer = _update(request, network_id, update_id)
    return action_post(
        request,
        lambda: wellbeing_reply_add(
            update=update,
            viewer=viewer,
            added_by=signed_in_user(request),
            text=request.POST.get("text", ""),
        ),
        success_url=_list_url(update.network, update.pk),
        message="Your reply has been added.",
        refused="No such page",
    )


@login_required
@require_POST
def wellbeing_react_action(request: HttpRequest, network_id: int, update_id: int) -> HttpResponse:
    update, viewer = _update(request, network_id, update_id)
    form = WellbeingReactionForm(request.POST)
    if not form.is_valid():
        raise Http404("No such reaction")
    kind, on = form.cleaned_data["kind"], form.cleaned_data["on"]
    return action_post(
        request,
        lambda: wellbeing_reaction_set(
            update=update, viewer=viewer, user=signed_in_user(request), kind=kind, on=on
        ),
        success_url=_list_url(update.network, update.pk),
        message="Thank you: the others can see that." if on else "Taken back.",
        refused="No such page",
    )


@login_required
@require_http_methods(["GET", "POST"])
def wellbeing_visibility_page(
    request: HttpRequest, network_id: int, update_id: int
) -> HttpResponse:
    """The author changes who may see their update."""
    update, viewer = _update(request, network_id, update_id)
    if not wellbeing_update_may_change(viewer=viewer, update=update):
        raise Http404("No such page")
    form = WellbeingVisibilityForm(
        posted(request),
        initial={"visibility": update.visibility},
        visibilities=wellbeing_visibilities_allowed(viewer=viewer),
    )
    done = page_post(
        request,
        form,
        lambda data: wellbeing_update_visibility_set(
            update=update,
            viewer=viewer,
            changed_by=signed_in_user(request),
            visibility=data["visibility"],
        ),
        success_url=_list_url(update.network, update.pk),
        message="Who can see your update has been changed.",
        refused="No such page",
    )
    if done is not None:
        return done
    return render(
        request,
        "wellbeing/visibility.html",
        network_context(update.network, viewer, form=form, update=update, section="wellbeing"),
    )


@login_required
@require_GET
def wellbeing_photo(
    request: HttpRequest, network_id: int, photo_id: int, size: str
) -> HttpResponseBase:
    """One photo, full size or its thumbnail, to someone who may see its update now. Never
    kept by a browser's or a proxy's cache, so it goes when access does."""
    if size not in PHOTO_SIZES:
        raise Http404("No such photo")
    network, viewer = network_for_request(request, network_id)
    photo = wellbeing_photo_get_for_viewer(viewer=viewer, photo_id=photo_id)
    if size == "full":
        audit_view(
            request,
            network=network,
            summary="Viewed a photo of a wellbeing update",
            object_type="wellbeing_update",
            object_id=photo.update_id,
        )
    name = photo.full_name if size == "full" else photo.thumbnail_name
    response = FileResponse(photo_storage().open(name, "rb"), content_type="image/jpeg")
    response["Content-Disposition"] = "inline"
    patch_cache_control(response, private=True, no_store=True, max_age=0)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def what_matters_page(request: HttpRequest, network_id: int) -> HttpResponse:
    """What matters to the person, in their words: the person or a carer keeps it."""
    network, viewer = network_for_request(request, network_id)
    entries = what_matters_for(viewer=viewer, network=network)
    may_keep = what_matters_may_keep(viewer=viewer)
    if request.method == "POST" and not may_keep:
        raise Http404("No such page")
    form = WhatMattersForm(
        posted(request),
        initial={entry.topic: entry.note.text for entry in entries if entry.note},
    )
    done = page_post(
        request,
        form,
        lambda data: what_matters_set(
            network=network, viewer=viewer, written_by=signed_in_user(request), notes=data
        ),
        success_url=reverse("network_overview", args=[network.pk]),
        message=f"What matters to {network.person.given_name} has been saved.",
        refused="No such page",
    )
    if done is not None:
        return done
    audit_view(request, network=network, summary="Viewed what matters to the person")
    return render(
        request,
        "wellbeing/what_matters.html",
        network_context(
            network,
            viewer,
            form=form,
            topic_fields=[form[entry.topic] for entry in entries],
            entries=entries,
            may_keep=may_keep,
            section="overview",
        ),
    )
