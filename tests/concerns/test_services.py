"""Raising and following concerns: who may do what, what is stored, who is told (and that
nobody is told what the concern says)."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.models import User
from caregraph.models import AuditEvent, NetworkEvent, NetworkEventKind, Visibility
from caregraph.policy import viewer_for
from concerns.models import Concern, ConcernStatus, ConcernUpdate, ConcernUpdateKind
from concerns.selectors import concern_get_for_viewer, concern_history, concern_list_visible_to
from concerns.services import (
    concern_acknowledge,
    concern_close,
    concern_review_start,
    concern_update_add,
    concern_withdraw,
)
from notifications.models import Notification, OutboxMessage
from tests.concerns.helpers import DESCRIPTION, World, concern_raise_as
from tests.networks import viewer

pytestmark = pytest.mark.django_db


def stored_counts() -> dict[str, int]:
    return {
        "concerns": Concern.objects.count(),
        "updates": ConcernUpdate.objects.count(),
        "events": NetworkEvent.objects.filter(kind__startswith="concern.").count(),
        "audit": AuditEvent.objects.filter(object_type="concern").count(),
        "notifications": Notification.objects.count(),
        "outbox": OutboxMessage.objects.count(),
    }


def told(kind: str | None = None) -> set[int]:
    notifications = Notification.objects.all()
    if kind:
        notifications = notifications.filter(kind=kind)
    return set(notifications.values_list("user_id", flat=True))


def sees(world: World, user: User, concern: Concern) -> bool:
    standing = viewer_for(user=user, network=world.network)
    if standing is None:
        return False
    return concern_list_visible_to(viewer=standing).filter(pk=concern.pk).exists()


def assert_nothing_sensitive_sent() -> None:
    for text in Notification.objects.values_list("text", flat=True):
        assert DESCRIPTION not in text
    for subject, body in OutboxMessage.objects.values_list("subject", "body"):
        assert DESCRIPTION not in subject
        assert DESCRIPTION not in body
    for message in mail.outbox:
        assert DESCRIPTION not in message.subject
        assert DESCRIPTION not in str(message.body)


# --- Raising --------------------------------------------------------------------------------


def test_a_family_members_concern_goes_to_the_professionals_only(
    world: World,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        concern = concern_raise_as(world.family, world.network)

    assert concern.visibility == Visibility.PROFESSIONALS
    assert sees(world, world.family, concern)  # their own
    assert not sees(world, world.friend, concern)
    for professional in (world.coordinator, world.practitioner_b, world.lead_a, world.lead_b):
        assert sees(world, professional, concern)
    assert told() == {
        world.coordinator.pk,
        world.practitioner_b.pk,
        world.practitioner_c.pk,
        world.lead_a.pk,
        world.lead_b.pk,
    }
    assert world.friend.pk not in told() and world.family.pk not in told()
    sent_to = {message.to[0] for message in mail.outbox}
    assert world.coordinator.email in sent_to
    assert world.friend.email not in sent_to
    assert_nothing_sensitive_sent()


def test_raising_appends_the_event_with_the_concerns_visibility_and_next_sequence(
    world: World,
) -> None:
    world.network.refresh_from_db()
    before = world.network.last_sequence

    concern = concern_raise_as(world.practitioner_b, world.network, visibility=Visibility.AGENCY)

    event = NetworkEvent.objects.get(network=world.network, sequence=before + 1)
    assert event.kind == NetworkEventKind.CONCERN_RAISED
    assert event.visibility == Visibility.AGENCY
    assert event.author_agency_id == world.agency_b.pk
    assert event.payload["concern_id"] == concern.pk
    assert DESCRIPTION not in json.dumps(event.payload)
    world.network.refresh_from_db()
    assert world.network.last_sequence == before + 1
    audit = AuditEvent.objects.get(object_type="concern", object_id=str(concern.pk))
    assert audit.actor_id == world.practitioner_b.pk
    assert audit.person_id == world.network.person_id


def test_a_high_concern_asks_the_lead_professionals_and_leads_to_acknowledge(
    world: World,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # notifications go after commit
        concern_raise_as(world.practitioner_b, world.network, severity="high")

    # The coordinator is no lead professional here: there is no involvement recorded.
    assert told("concern.acknowledge") == {world.lead_a.pk, world.lead_b.pk}
    assert told("concern.raised") == {world.coordinator.pk, world.practitioner_c.pk}


def test_a_restricted_concern_tells_only_the_leads(
    world: World,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # notifications go after commit
        concern = concern_raise_as(
            world.coordinator, world.network, visibility=Visibility.RESTRICTED
        )

    assert told() == {world.lead_a.pk, world.lead_b.pk}
    assert not sees(world, world.practitioner_b, concern)


@pytest.mark.parametrize(
    ("who", "changes", "field"),
    [
        ("coordinator", {"category": "witchcraft"}, "category"),
        ("coordinator", {"severity": "catastrophic"}, "severity"),
        ("coordinator", {"description": ""}, "description"),
        ("coordinator", {"description": "   \n "}, "description"),
        ("coordinator", {"description": "x" * 5001}, "description"),
        ("coordinator", {"visibility": "everyone"}, "visibility"),
        ("family", {"visibility": Visibility.NETWORK}, "visibility"),
        ("family", {"visibility": Visibility.RESTRICTED}, "visibility"),
        ("family", {"visibility": Visibility.AGENCY}, "visibility"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_stored(
    world: World, who: str, changes: dict[str, str], field: str
) -> None:
    before = stored_counts()
    values = {"severity": "medium", "category": "neglect", "description": DESCRIPTION}
    values.update(changes)

    with pytest.raises(ValidationError) as refused:
        concern_raise_as(getattr(world, who), world.network, **values)  # type: ignore[arg-type]

    assert set(refused.value.message_dict) == {field}
    assert stored_counts() == before


def test_someone_outside_the_network_cannot_reach_it_and_nothing_is_stored(
    world: World,
) -> None:
    from caregraph.policy import network_get_for_user

    before = stored_counts()
    with pytest.raises(Http404):
        network_get_for_user(user=world.outsider, network_id=world.network.pk)
    assert viewer_for(user=world.outsider, network=world.network) is None
    assert stored_counts() == before


def test_a_lead_who_is_not_a_member_raises_for_their_agency(world: World) -> None:
    concern = concern_raise_as(world.lead_b, world.network, visibility=Visibility.AGENCY)

    assert concern.author_agency_id == world.agency_b.pk
    assert sees(world, world.practitioner_b, concern)
    assert not sees(world, world.practitioner_c, concern)


# --- Following ------------------------------------------------------------------------------


def history_kinds(concern: Concern, reader: User | None = None) -> list[str]:
    reader = reader or concern.created_by
    standing = viewer_for(user=reader, network=concern.network)
    assert standing is not None
    return [update.kind for update in concern_history(concern=concern, viewer=standing)]


def test_a_concern_is_acknowledged_reviewed_and_closed_with_its_outcome(
    world: World,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # notifications go after commit
        concern = concern_raise_as(world.family, world.network, severity="high")
    sequence = world.network.events.order_by("-sequence").first().sequence  # type: ignore[union-attr]
    as_b = viewer(world.network, world.practitioner_b)

    with django_capture_on_commit_callbacks(execute=True):  # notifications go after commit
        concern_acknowledge(concern=concern, viewer=as_b, acknowledged_by=world.practitioner_b)
        concern_review_start(concern=concern, viewer=as_b, started_by=world.practitioner_b)
        closed = concern_close(
            concern=concern,
            viewer=as_b,
            closed_by=world.practitioner_b,
            outcome="Referred to MASH",
        )

    assert closed.status == ConcernStatus.CLOSED
    assert closed.outcome == "Referred to MASH"
    assert closed.closed_at is not None
    assert history_kinds(concern, world.practitioner_b) == [
        ConcernUpdateKind.ACKNOWLEDGED,
        ConcernUpdateKind.UNDER_REVIEW,
        ConcernUpdateKind.CLOSED,
    ]
    # The family member who raised it sees it move on, not the outcome written under it.
    assert history_kinds(concern, world.family) == [
        ConcernUpdateKind.ACKNOWLEDGED,
        ConcernUpdateKind.UNDER_REVIEW,
    ]
    events = list(world.network.events.filter(sequence__gt=sequence).order_by("sequence"))
    assert [e.kind for e in events] == [NetworkEventKind.CONCERN_UPDATED] * 3
    assert [e.payload["status"] for e in events] == ["acknowledged", "under_review", "closed"]
    assert {e.visibility for e in events} == {Visibility.PROFESSIONALS}
    assert {e.created_by_id for e in events} == {world.family.pk}  # the raiser hears of each
    assert all("Referred to MASH" not in json.dumps(e.payload) for e in events)
    summaries = set(
        AuditEvent.objects.filter(object_type="concern", object_id=str(concern.pk)).values_list(
            "summary", flat=True
        )
    )
    assert {"Acknowledged a concern", "Started a review of a concern", "Closed a concern"} <= (
        summaries
    )
    # The family member who raised it hears that it moved on, never what was decided.
    family_told = Notification.objects.filter(user=world.family)
    assert set(family_told.values_list("kind", flat=True)) == {
        "concern.acknowledged",
        "concern.under_review",
        "concern.closed",
    }
    assert not any("MASH" in text for text in family_told.values_list("text", flat=True))
    assert world.friend.pk not in told()


def test_starting_a_review_of_an_open_concern_acknowledges_it(world: World) -> None:
    concern = concern_raise_as(world.family, world.network, severity="urgent")

    reviewed = concern_review_start(
        concern=concern,
        viewer=viewer(world.network, world.coordinator),
        started_by=world.coordinator,
    )

    assert reviewed.status == ConcernStatus.UNDER_REVIEW
    assert reviewed.acknowledged_by_id == world.coordinator.pk


@pytest.mark.parametrize(
    ("first", "then", "message"),
    [
        ("acknowledge", "acknowledge", "This concern has already been acknowledged"),
        ("review", "acknowledge", "This concern has already been acknowledged"),
        ("review", "review", "This concern is already under review"),
        ("close", "close", "This concern is closed"),
        ("close", "acknowledge", "This concern is closed"),
        ("close", "review", "This concern is closed"),
        ("close", "note", "This concern is closed"),
        ("withdraw", "close", "This concern was withdrawn"),
        ("withdraw", "withdraw", "This concern was withdrawn"),
        ("close", "withdraw", "This concern is closed"),
    ],
)
def test_a_wrong_transition_is_refused_plainly_and_changes_nothing(
    world: World, first: str, then: str, message: str
) -> None:
    concern = concern_raise_as(world.coordinator, world.network)

    def do(step: str) -> object:
        # The raiser withdraws; someone else acknowledges, reviews, closes and adds notes.
        user = world.coordinator if step == "withdraw" else world.practitioner_b
        standing = viewer(world.network, user)
        match step:
            case "acknowledge":
                return concern_acknowledge(concern=concern, viewer=standing, acknowledged_by=user)
            case "review":
                return concern_review_start(concern=concern, viewer=standing, started_by=user)
            case "close":
                return concern_close(concern=concern, viewer=standing, closed_by=user, outcome="Ok")
            case "withdraw":
                return concern_withdraw(
                    concern=concern, viewer=standing, withdrawn_by=user, reason="Mistaken"
                )
            case "note":
                return concern_update_add(concern=concern, viewer=standing, added_by=user, text="x")
        raise AssertionError(step)

    do(first)
    before = stored_counts()
    status = Concern.objects.get(pk=concern.pk).status

    with pytest.raises(ValidationError) as refused:
        do(then)

    assert refused.value.messages == [message]
    assert stored_counts() == before
    assert Concern.objects.get(pk=concern.pk).status == status


def test_closing_needs_an_outcome(world: World) -> None:
    concern = concern_raise_as(world.coordinator, world.network)

    with pytest.raises(ValidationError) as refused:
        concern_close(
            concern=concern,
            viewer=viewer(world.network, world.coordinator),
            closed_by=world.coordinator,
            outcome="  ",
        )

    assert refused.value.message_dict == {"outcome": ["Say what the outcome was"]}
    assert Concern.objects.get(pk=concern.pk).status == ConcernStatus.OPEN


def test_family_cannot_acknowledge_review_or_close(world: World) -> None:
    concern = concern_raise_as(world.family, world.network)
    standing = viewer(world.network, world.family)

    with pytest.raises(PermissionDenied):
        concern_acknowledge(concern=concern, viewer=standing, acknowledged_by=world.family)
    with pytest.raises(PermissionDenied):
        concern_review_start(concern=concern, viewer=standing, started_by=world.family)
    with pytest.raises(PermissionDenied):
        concern_close(concern=concern, viewer=standing, closed_by=world.family, outcome="Fine")
    assert Concern.objects.get(pk=concern.pk).status == ConcernStatus.OPEN


def test_only_the_raiser_withdraws_and_must_say_why(world: World) -> None:
    concern = concern_raise_as(world.family, world.network)

    with pytest.raises(PermissionDenied):
        concern_withdraw(
            concern=concern,
            viewer=viewer(world.network, world.coordinator),
            withdrawn_by=world.coordinator,
            reason="Not needed",
        )
    with pytest.raises(ValidationError) as refused:
        concern_withdraw(
            concern=concern,
            viewer=viewer(world.network, world.family),
            withdrawn_by=world.family,
            reason="",
        )
    assert refused.value.message_dict == {"reason": ["Say why you are withdrawing it"]}

    withdrawn = concern_withdraw(
        concern=concern,
        viewer=viewer(world.network, world.family),
        withdrawn_by=world.family,
        reason="It was a misunderstanding",
    )

    assert withdrawn.status == ConcernStatus.WITHDRAWN
    assert withdrawn.withdrawn_reason == "It was a misunderstanding"
    assert history_kinds(concern) == [ConcernUpdateKind.WITHDRAWN]
    audit = AuditEvent.objects.get(summary="Withdrew a concern", object_id=str(concern.pk))
    assert audit.reason == "It was a misunderstanding"


def test_professionals_and_the_raiser_add_updates_and_followers_are_told(
    world: World,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # notifications go after commit
        concern = concern_raise_as(world.family, world.network)
        concern_acknowledge(
            concern=concern,
            viewer=viewer(world.network, world.practitioner_b),
            acknowledged_by=world.practitioner_b,
        )

    with django_capture_on_commit_callbacks(execute=True):  # notifications go after commit
        concern_update_add(
            concern=concern,
            viewer=viewer(world.network, world.coordinator),
            added_by=world.coordinator,
            text="Home visit booked for Tuesday",
        )
        concern_update_add(
            concern=concern,
            viewer=viewer(world.network, world.family),
            added_by=world.family,
            text="He has more bruises today",
        )

    def notes_read_by(reader: User) -> list[str]:
        history = concern_history(concern=concern, viewer=viewer(world.network, reader))
        return [u.text for u in history if u.kind == "note"]

    assert notes_read_by(world.practitioner_b) == [
        "Home visit booked for Tuesday",
        "He has more bruises today",
    ]
    # The raiser reads what they wrote, not what the professionals added under it.
    assert notes_read_by(world.family) == ["He has more bruises today"]
    updated = told("concern.updated")
    # The acknowledger follows it and hears of both notes; the raiser hears of no note they
    # may not read; the friend hears nothing at all.
    assert updated == {world.practitioner_b.pk}
    assert world.friend.pk not in told()
    assert not any(
        "bruises" in text or "Tuesday" in text
        for text in Notification.objects.values_list("text", flat=True)
    )


def test_a_family_member_who_did_not_raise_it_cannot_update_or_see_it(world: World) -> None:
    concern = concern_raise_as(world.coordinator, world.network, visibility=Visibility.NETWORK)
    hidden = concern_raise_as(world.coordinator, world.network)

    with pytest.raises(PermissionDenied):
        concern_update_add(
            concern=concern,
            viewer=viewer(world.network, world.friend),
            added_by=world.friend,
            text="I saw it too",
        )
    with pytest.raises(Http404):
        concern_get_for_viewer(viewer=viewer(world.network, world.friend), concern_id=hidden.pk)
    assert not ConcernUpdate.objects.filter(kind="note").exists()


def test_an_update_needs_text(world: World) -> None:
    concern = concern_raise_as(world.coordinator, world.network)

    with pytest.raises(ValidationError) as refused:
        concern_update_add(
            concern=concern,
            viewer=viewer(world.network, world.coordinator),
            added_by=world.coordinator,
            text=" ",
        )

    assert set(refused.value.message_dict) == {"text"}
    assert not ConcernUpdate.objects.exists()
