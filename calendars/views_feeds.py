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

from accounts.models import User
from calendars.feed_stamps import FeedStamp, KnownFeed, feed_stamp, feeds_known
from calendars.feed_versions import feed_bodies, feed_changed_at, feed_version
from calendars.feeds import calendar_ics, feed_ics
from calendars.selectors import FeedContents, event_get_for_viewer, feed_contents_for_user
from calendars.services.feed_tokens import MAX_TOKEN_LENGTH, feed_token_hash, feed_token_note_use
from caregraph.models import AuditAction
from caregraph.policy import network_get_for_user
from caregraph.services.audit import (
    audit_record,
    audit_record_each_network,
    read_audit_transaction,
)

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

    One query first: the token's stamp (`feed_stamps`), none for a revoked or unknown token.
    A stamp seen before answers from what was found for it: 304 to an app holding that
    version, or the body built for it. Any other stamp goes the long way: whose the feed is
    and what they may see (the policy), the exact version, and a body only if it is new.

    A fetch that sends the feed is audited in each network it spans; a 304 sends nothing
    and writes no audit row (the token's last use is still noted, once an hour).
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise Http404("No such feed")
    stamp = feed_stamp(token_hash=feed_token_hash(token))
    if stamp is None:
        raise Http404("No such feed")
    feed_token_note_use(token_id=stamp.token_id, last_used_at=stamp.last_used_at)
    contents = None
    known = feeds_known.get(stamp.key)
    if known is None:
        contents, known = _feed_know(user_id=stamp.user_id)
        feeds_known.put(stamp.key, known)
    changed_at = known.changed_at
    not_modified = get_conditional_response(
        request,
        etag=known.version,
        last_modified=int(changed_at.timestamp()) if changed_at else None,
    )
    if not_modified is not None:
        response: HttpResponse = not_modified
    else:
        response = _feed_send(request, stamp=stamp, known=known, contents=contents)
    response["ETag"] = known.version
    if changed_at is not None:
        response["Last-Modified"] = http_date(changed_at.timestamp())
    _private(response)
    return response


def _feed_know(*, user_id: int) -> tuple[FeedContents, KnownFeed]:
    """The long way: the user's standing in each network (the policy), the feed's exact
    version and when it became that version."""
    user = User.objects.get(pk=user_id)
    contents = feed_contents_for_user(user=user)
    version = feed_version(user_id=user_id, contents=contents)
    known = KnownFeed(
        version=version,
        changed_at=feed_changed_at(user_id=user_id, version=version),
        networks=tuple(contents.networks),
    )
    return contents, known


def _feed_send(
    request: HttpRequest, *, stamp: FeedStamp, known: KnownFeed, contents: FeedContents | None
) -> HttpResponse:
    """The feed's body (built once per version), its sending audited in each network.

    The audit rows are committed without waiting for the disk (`read_audit_transaction`): a
    poll is not held up by a WAL flush.
    """
    with read_audit_transaction():
        audit_record_each_network(
            actor=User(pk=stamp.user_id),
            action=AuditAction.EXPORT,
            summary="Calendar feed fetched by a calendar app",
            object_type="calendar_feed",
            networks=list(known.networks),
            request=request,
            channel="feed",
        )
    body = feed_bodies.get(known.version)
    if body is None:
        if contents is None:
            contents = feed_contents_for_user(user=User.objects.get(pk=stamp.user_id))
        body = feed_ics(events=contents.events, name=FEED_NAME)
        feed_bodies.put(known.version, body)
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = 'inline; filename="caregraph.ics"'
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
