"""Messages: the threads of a network with their unread counts, starting a thread, reading
one and replying. Every form works without JavaScript (post, redirect, get); with it,
messages.mjs adds new messages to an open thread and keeps the unread counts up to date.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caregraph.models import Network
from caregraph.policy import (
    Viewer,
    message_may_write,
    message_participants_choosable,
    people_hidden_from,
)
from frontend.forms.messages import ReplyForm, ThreadStartForm
from frontend.views.common import (
    audit_view,
    network_context,
    network_for_request,
    page_post,
    posted,
    signed_in_user,
)
from messaging.models import Thread, ThreadAudience
from messaging.selectors import (
    message_list,
    message_unread_count,
    thread_get_for_viewer,
    thread_list_visible_to,
    thread_participant_ids,
)
from messaging.services import message_post, thread_mark_read, thread_start, thread_url

PAGE_SIZE = 50
NOT_A_MEMBER = "Only members of this network can send messages"


def _context(network: Network, viewer: Viewer, **more: Any) -> dict[str, Any]:
    return network_context(network, viewer, section="messages", **more)


@login_required
@require_GET
def message_list_page(request: HttpRequest, network_id: int) -> HttpResponse:
    network, viewer = network_for_request(request, network_id)
    page = Paginator(thread_list_visible_to(viewer=viewer), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit_view(
        request, network=network, summary="Viewed the messages", object_type="message_thread"
    )
    return render(
        request,
        "messaging/list.html",
        _context(
            network,
            viewer,
            page=page,
            threads=list(page.object_list),
            may_write=message_may_write(viewer=viewer),
            live_sequence=network.last_sequence,
        ),
    )


def _people(viewer: Viewer) -> list[tuple[int, str]]:
    """Whom the viewer may add to a thread, but themself, by name."""
    memberships = (
        message_participants_choosable(viewer=viewer)
        .exclude(user_id=viewer.user_id)
        .select_related("user", "agency")
        .order_by("user__display_name", "pk")
    )
    return [
        (m.user_id, f"{m.user} ({m.agency.name if m.agency else m.get_kind_display()})")
        for m in memberships
    ]


@login_required
@require_http_methods(["GET", "POST"])
def thread_start_page(request: HttpRequest, network_id: int) -> HttpResponse:
    network, viewer = network_for_request(request, network_id)
    if not message_may_write(viewer=viewer):
        raise Http404(NOT_A_MEMBER)
    form = ThreadStartForm(posted(request), people=_people(viewer))
    done = page_post(
        request,
        form,
        lambda data: thread_start(
            network=network,
            viewer=viewer,
            started_by=signed_in_user(request),
            subject=data["subject"],
            text=data["text"],
            audience=data["audience"],
            participant_ids=[int(pk) for pk in data["participants"]],
        ),
        success_url=thread_url,
        message="Your message has been sent",
        refused=NOT_A_MEMBER,
    )
    if done is not None:
        return done
    return render(
        request,
        "messaging/start.html",
        _context(network, viewer, form=form, chosen=ThreadAudience.CHOSEN),
    )


def _thread_page(
    request: HttpRequest, network: Network, viewer: Viewer, thread: Thread, form: ReplyForm
) -> HttpResponse:
    messages = list(message_list(thread=thread))
    participant_ids = thread_participant_ids(thread=thread)
    participants = [
        membership.user
        for membership in message_participants_choosable(viewer=viewer)
        .filter(user_id__in=participant_ids)
        .select_related("user")
    ]
    last_id = messages[-1].pk if messages else 0
    thread_mark_read(thread=thread, user=signed_in_user(request), up_to=last_id)
    audit_view(
        request,
        network=network,
        summary="Read a message thread",
        object_type="message_thread",
        object_id=thread.pk,
    )
    return render(
        request,
        "messaging/thread.html",
        _context(
            network,
            viewer,
            thread=thread,
            thread_messages=messages,
            participants=participants,
            hidden_people=people_hidden_from(
                viewer=viewer, user_ids=[message.author_id for message in messages]
            ),
            form=form,
            may_write=message_may_write(viewer=viewer),
            last_message_id=last_id,
            live_sequence=network.last_sequence,
            unread_total=message_unread_count(viewer=viewer),
        ),
    )


@login_required
@require_GET
def thread_page(request: HttpRequest, network_id: int, thread_id: int) -> HttpResponse:
    network, viewer = network_for_request(request, network_id)
    thread = thread_get_for_viewer(viewer=viewer, thread_id=thread_id)
    return _thread_page(request, network, viewer, thread, ReplyForm())


@login_required
@require_POST
def thread_reply(request: HttpRequest, network_id: int, thread_id: int) -> HttpResponse:
    network, viewer = network_for_request(request, network_id)
    thread = thread_get_for_viewer(viewer=viewer, thread_id=thread_id)
    form = ReplyForm(request.POST)
    done = page_post(
        request,
        form,
        lambda data: message_post(
            thread=thread, viewer=viewer, author=signed_in_user(request), text=data["text"]
        ),
        success_url=lambda message: f"{thread_url(thread)}#message-{message.pk}",
        message="Your message has been sent",
        refused=NOT_A_MEMBER,
    )
    if done is not None:
        return done
    return _thread_page(request, network, viewer, thread, form)
