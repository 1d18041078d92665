"""The calendar's iCalendar addresses: a member's secret feed, and one event to download.

The feed is fetched by calendar apps, which carry no session: the secret token in its
address is the only credential, and an unknown or revoked one answers 404 like any path
that is not there. The single event is for a signed-in member and follows the policy.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from calendars.feed_versions import feed_bodies, feed_changed_at, feed_version
from calendars.feeds import calendar_ics, feed_ics
from calendars.selectors import event_get_for_viewer, feed_contents_for_user
from calendars.services.feed_tokens import feed_token_use
from caregraph.models import AuditAction
from caregraph.policy import network_get_for_user
from caregraph.services.audit import audit_record, audit_record_each_network

FEED_NAME = "Caregraph"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _ics_response(request: HttpRequest, body: bytes, *, filename: str) -> HttpResponse:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=CONTENT_TYPE)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    _private(response)
    return response


def _private(response: HttpResponse) -> None:
    # Personal data: no shared cache may keep it, and the browser must ask again each time.
    patch_cache_control(response, private=True, no_cache=True)
    response["X-Robots-Tag"] = "noindex"


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A member's feed across all their networks, holding only what they may see now.

    Whose it is and what they may see are worked out first; then the feed's version (its
    ETag, from two cheap queries): an app holding that version is told 304, and a version
    built before is served as it was. Only a new version is built.
    """
    user = feed_token_use(token=token)
    if user is None:
        raise Http404("No such feed")
    contents = feed_contents_for_user(user=user)
    version = feed_version(user_id=user.pk, contents=contents)
    changed_at = feed_changed_at(user_id=user.pk, version=version)
    audit_record_each_network(
        actor=user,
        action=AuditAction.EXPORT,
        summary="Calendar feed fetched by a calendar app",
        object_type="calendar_feed",
        networks=contents.networks,
        request=request,
        channel="feed",
    )
    not_modified = get_conditional_response(
        request, etag=version, last_modified=int(changed_at.timestamp()) if changed_at else None
    )
    if not_modified is not None:
        response: HttpResponse = not_modified
    else:
        body = feed_bodies.get(version)
        if body is None:
            body = feed_ics(events=contents.events, name=FEED_NAME)
            feed_bodies.put(version, body)
        response = HttpResponse(body, content_type=CONTENT_TYPE)
        response["Content-Disposition"] = 'inline; filename="caregraph.ics"'
    response["ETag"] = version
    if changed_at is not None:
        response["Last-Modified"] = http_date(changed_at.timestamp())
    _private(response)
    return response


@require_GET
@login_required
def calendar_event_ics(request: HttpRequest, event_id: int) -> HttpResponse:
    """One event (with all its occurrences) as a file to add to a calendar app."""
    from calendars.models import CalendarEvent

    network_id = (
        CalendarEvent.objects.filter(pk=event_id).values_list("network_id", flat=True).first()
    )
    if network_id is None:
        raise Http404("No such event")
    network, viewer = network_get_for_user(user=request.user, network_id=network_id)
    event = event_get_for_viewer(viewer=viewer, event_id=event_id)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        summary=f"Downloaded '{event.title}' for a calendar app",
        object_type="calendar_event",
        object_id=event.pk,
        network=network,
        request=request,
    )
    return _ics_response(
        request, calendar_ics(events=[event], name=FEED_NAME), filename=f"event-{event.pk}.ics"
    )
