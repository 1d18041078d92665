"""Merging two records of one person: everything moves, it is audited, and undo is exact."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency, Involvement, StaffMembership, StaffRole
from caregraph.models import (
    AuditAction,
    AuditEvent,
    Identifier,
    IdentifierSystem,
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    MatchCandidate,
    MatchStatus,
    MemberKind,
    Membership,
    MembershipStatus,
    Merge,
    Network,
    Person,
    PersonRelationship,
    RelationshipKind,
)
from caregraph.policy import networks_visible_to
from caregraph.services.matching import match_candidate_dismiss, person_match_queue
from caregraph.services.merge import (
    MERGE_SPECIAL_LINKS,
    NETWORK_OWNED,
    PERSON_OWNED,
    merge_allowed,
    person_merge,
    person_merge_undo,
)
from caregraph.services.people import IdentifierInput
from tests.factories import (
    AgencyFactory,
    UserFactory,
    involvement_add_for_test,
    member_add_for_test,
    nhs_number_for_test,
    person_register_for_test,
    staff_create,
)

BORN = datetime.date(2015, 3, 14)
REASON = "Same child: the school and the GP registered her separately"


@dataclass
class TwoRecords:
    """One child registered twice, with something of every kind on the second record."""

    agency: Agency
    lead: User
    survivor: Person
    merged: Person
    relative: Person
    partner: Person
    in_both: User
    waiting_on_both: User


def _relate(person: Person, relative: Person, kind: str) -> PersonRelationship:
    return PersonRelationship.objects.create(person=person, relative=relative, kind=kind)


def _invite(network: Network, invited_by: User, email: str) -> Invitation:
    return Invitation.objects.create(
        network=network,
        email=email,
        kind=MemberKind.FAMILY,
        token_hash=email.encode().hex()[:64],
        invited_by=invited_by,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )


def _ask_to_join(network: Network, user: User) -> JoinRequest:
    return JoinRequest.objects.create(network=network, requested_by=user, reason="I am her GP")


def _two_records() -> TwoRecords:
    agency, other_agency = AgencyFactory.create(), AgencyFactory.create()
    lead = staff_create(role=StaffRole.SAFEGUARDING_LEAD, agency=agency)
    survivor = person_register_for_test(
        agency=agency, date_of_birth=BORN, nhs_number=nhs_number_for_test(0)
    ).person
    merged_registration = person_register_for_test(
        agency=agency,
        given_name="Amelie",
        date_of_birth=BORN,
        identifiers=[
            IdentifierInput(system=IdentifierSystem.UPN, value="B801200005001"),
            IdentifierInput(
                system=IdentifierSystem.LA_CASE_REFERENCE, value="CS-1001", agency=agency
            ),
        ],
    )
    merged, merged_network = merged_registration.person, merged_registration.network
    relative = person_register_for_test(
        agency=agency, given_name="Grace", family_name="Hughes", date_of_birth=None
    ).person
    partner = person_register_for_test(
        agency=agency, given_name="Sam", family_name="Ward", date_of_birth=None
    ).person

    in_both = member_add_for_test(network=survivor.network).user
    member_add_for_test(network=merged_network, user=in_both)
    member_add_for_test(network=merged_network)
    Membership.objects.filter(pk=member_add_for_test(network=merged_network).pk).update(
        status=MembershipStatus.LEFT, ended_at=timezone.now() - datetime.timedelta(days=30)
    )
    involvement_add_for_test(network=merged_network, agency=other_agency)
    _invite(merged_network, lead, "aunt@example.org")
    _ask_to_join(merged_network, UserFactory.create())
    waiting_on_both = UserFactory.create()
    _ask_to_join(survivor.network, waiting_on_both)
    _ask_to_join(merged_network, waiting_on_both)
    Person.objects.filter(pk=merged.pk).update(user=UserFactory.create())

    _relate(merged, relative, RelationshipKind.CHILD)  # moves
    _relate(relative, merged, RelationshipKind.PARENT)  # moves
    _relate(survivor, relative, RelationshipKind.CHILD)  # the survivor's own
    _relate(merged, partner, RelationshipKind.OTHER)  # moves
    _relate(partner, survivor, RelationshipKind.OTHER)
    _relate(partner, merged, RelationshipKind.OTHER)  # a copy once moved: dropped
    _relate(merged, survivor, RelationshipKind.SIBLING)  # with oneself once moved: dropped
    _relate(survivor, merged, RelationshipKind.SIBLING)  # with oneself once moved: dropped
    person_match_queue(person_id=merged.pk)

    survivor.refresh_from_db()
    merged.refresh_from_db()
    return TwoRecords(
        agency=agency,
        lead=lead,
        survivor=survivor,
        merged=merged,
        relative=relative,
        partner=partner,
        in_both=in_both,
        waiting_on_both=waiting_on_both,
    )


SNAPSHOT_MODELS: list[type[models.Model]] = [
    Person,
    Network,
    Identifier,
    Membership,
    Involvement,
    Invitation,
    JoinRequest,
    PersonRelationship,
    MatchCandidate,
]


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row, every column, of everything a merge may touch."""
    return {
        model._meta.label: list(
            model._default_manager.order_by("pk").values_list(
                *[field.attname for field in model._meta.concrete_fields]
            )
        )
        for model in SNAPSHOT_MODELS
    }


def _merge(records: TwoRecords) -> Merge:
    return person_merge(
        survivor=records.survivor, merged=records.merged, performed_by=records.lead, reason=REASON
    )


@pytest.fixture
def records(db: None) -> TwoRecords:
    return _two_records()


def test_merge_moves_identifiers_and_network_records_to_the_survivor(records) -> None:
    merged_network = records.merged.network
    moving_members = set(merged_network.memberships.values_list("pk", flat=True))

    _merge(records)

    survivor_network = records.survivor.network
    assert sorted(records.survivor.identifiers.values_list("system", "value")) == [
        (IdentifierSystem.LA_CASE_REFERENCE, "CS-1001"),
        (IdentifierSystem.NHS_NUMBER, "9990000018"),
        (IdentifierSystem.UPN, "B801200005001"),
    ]
    assert not Identifier.objects.filter(person=records.merged).exists()
    assert moving_members <= set(survivor_network.memberships.values_list("pk", flat=True))
    for model in (Membership, Involvement, Invitation, JoinRequest):
        assert not model.objects.filter(network=merged_network).exists(), model
    assert survivor_network.involvements.count() == 1
    assert survivor_network.invitations.get().email == "aunt@example.org"
    assert survivor_network.join_requests.count() == 3
    records.merged.refresh_from_db()
    assert records.merged.merged_into == records.survivor


def test_merge_moves_the_merged_persons_own_account(records) -> None:
    account = records.merged.user

    _merge(records)

    records.survivor.refresh_from_db()
    records.merged.refresh_from_db()
    assert records.survivor.user == account
    assert records.merged.user is None


def test_members_of_the_merged_network_see_the_survivors_network_and_only_once(records) -> None:
    coordinator = records.merged.network.memberships.get(is_coordinator=True).user

    _merge(records)

    survivor_network = records.survivor.network
    assert list(networks_visible_to(user=coordinator)) == [survivor_network]
    assert list(networks_visible_to(user=records.in_both)) == [survivor_network]
    active = survivor_network.memberships.filter(
        user=records.in_both, status=MembershipStatus.ACTIVE
    )
    assert active.count() == 1
    ended = survivor_network.memberships.get(user=records.in_both, status=MembershipStatus.REMOVED)
    assert ended.ended_by == records.lead
    assert ended.ended_at is not None


def test_a_user_waiting_on_both_networks_keeps_one_request(records) -> None:
    _merge(records)

    requests = JoinRequest.objects.filter(requested_by=records.waiting_on_both)
    assert sorted(requests.values_list("status", flat=True)) == [
        JoinRequestStatus.DECLINED,
        JoinRequestStatus.PENDING,
    ]


def test_merge_moves_relationships_both_ways_and_drops_duplicates_and_self(records) -> None:
    survivor, relative, partner = records.survivor, records.relative, records.partner

    _merge(records)

    assert sorted(
        PersonRelationship.objects.values_list("person_id", "relative_id", "kind")
    ) == sorted(
        [
            (survivor.pk, relative.pk, RelationshipKind.CHILD),
            (relative.pk, survivor.pk, RelationshipKind.PARENT),
            (survivor.pk, partner.pk, RelationshipKind.OTHER),
            (partner.pk, survivor.pk, RelationshipKind.OTHER),
        ]
    )
    assert not PersonRelationship.objects.filter(person=records.merged).exists()


def test_the_pair_queued_for_review_is_marked_merged(records) -> None:
    pair = MatchCandidate.objects.get()

    _merge(records)

    pair.refresh_from_db()
    assert (pair.status, pair.decided_by) == (MatchStatus.MERGED, records.lead)


def test_merge_is_audited_for_both_people_with_the_reason(records) -> None:
    merge = _merge(records)

    audited = AuditEvent.objects.filter(action=AuditAction.MERGE).order_by("person_id")
    assert [(event.person_id, event.actor_id, event.reason) for event in audited] == sorted(
        [
            (records.survivor.pk, records.lead.pk, REASON),
            (records.merged.pk, records.lead.pk, REASON),
        ]
    )
    assert {event.object_id for event in audited} == {str(merge.pk)}


def test_a_registration_with_the_merged_records_identifier_finds_the_survivor(records) -> None:
    _merge(records)

    again = person_register_for_test(
        agency=records.agency,
        identifiers=[IdentifierInput(system=IdentifierSystem.UPN, value="B801200005001")],
    )

    assert (again.created, again.person) == (False, records.survivor)


def test_undo_puts_every_row_back_exactly(records) -> None:
    before = _snapshot()
    merge = _merge(records)
    assert _snapshot() != before

    person_merge_undo(merge=merge, undone_by=records.lead, reason="Twins, not one child")

    assert _snapshot() == before
    merge.refresh_from_db()
    assert (merge.undone_by, merge.undone_at is not None) == (records.lead, True)


def test_undo_is_audited_for_both_people_with_the_reason(records) -> None:
    merge = _merge(records)

    person_merge_undo(merge=merge, undone_by=records.lead, reason="Twins, not one child")

    audited = AuditEvent.objects.filter(action=AuditAction.UNMERGE)
    assert sorted((event.person_id, event.reason) for event in audited) == sorted(
        [
            (records.survivor.pk, "Twins, not one child"),
            (records.merged.pk, "Twins, not one child"),
        ]
    )


def test_undo_leaves_what_was_added_to_the_survivor_since(records) -> None:
    merge = _merge(records)
    added_since = involvement_add_for_test(network=records.survivor.network, agency=records.agency)

    person_merge_undo(merge=merge, undone_by=records.lead, reason="Twins")

    added_since.refresh_from_db()
    assert added_since.network == records.survivor.network
    assert records.merged.network.involvements.count() == 1


def test_a_merge_undone_can_be_done_again(records) -> None:
    person_merge_undo(merge=_merge(records), undone_by=records.lead, reason="Too soon")

    again = _merge(records)

    assert again.undone_at is None
    assert records.merged.network.memberships.count() == 0


# Refusals.


def test_a_record_cannot_be_merged_into_itself(records) -> None:
    with pytest.raises(ValidationError, match="cannot be merged into itself"):
        person_merge(
            survivor=records.survivor,
            merged=records.survivor,
            performed_by=records.lead,
            reason=REASON,
        )


def test_a_record_merged_away_cannot_be_merged_again(records) -> None:
    _merge(records)
    third = person_register_for_test(agency=records.agency).person

    with pytest.raises(ValidationError, match="already been merged into another record"):
        person_merge(
            survivor=third, merged=records.merged, performed_by=records.lead, reason=REASON
        )


def test_nothing_can_be_merged_into_a_record_merged_away(records) -> None:
    _merge(records)
    third = person_register_for_test(agency=records.agency).person

    with pytest.raises(ValidationError, match="merge into that one instead"):
        person_merge(
            survivor=records.merged, merged=third, performed_by=records.lead, reason=REASON
        )
    assert third.network.memberships.count() == 1


def test_a_merge_cannot_be_undone_twice(records) -> None:
    merge = _merge(records)
    person_merge_undo(merge=merge, undone_by=records.lead, reason="Twins")

    with pytest.raises(ValidationError, match="already been undone"):
        person_merge_undo(merge=merge, undone_by=records.lead, reason="Twins")
    with pytest.raises(ValidationError, match="already been undone"):
        person_merge_undo(
            merge=Merge.objects.get(pk=merge.pk), undone_by=records.lead, reason="Twins"
        )


def test_a_merge_into_a_survivor_merged_away_since_is_undone_last(records) -> None:
    first = _merge(records)
    third = person_register_for_test(agency=records.agency).person
    later = person_merge(
        survivor=third, merged=records.survivor, performed_by=records.lead, reason=REASON
    )

    with pytest.raises(ValidationError, match="undo that merge first"):
        person_merge_undo(merge=first, undone_by=records.lead, reason="Twins")

    person_merge_undo(merge=later, undone_by=records.lead, reason="Not the same")
    person_merge_undo(merge=first, undone_by=records.lead, reason="Twins")
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


def test_records_with_different_nhs_numbers_are_not_merged(records) -> None:
    Identifier.objects.create(
        person=records.merged, system=IdentifierSystem.NHS_NUMBER, value=nhs_number_for_test(1)
    )
    before = _snapshot()

    with pytest.raises(ValidationError, match="different NHS Numbers"):
        _merge(records)

    assert _snapshot() == before


def test_records_with_two_sign_in_accounts_are_not_merged(records) -> None:
    Person.objects.filter(pk=records.survivor.pk).update(user=UserFactory.create())

    with pytest.raises(ValidationError, match="own sign-in account"):
        _merge(records)


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_merge_needs_a_reason(records, reason: str) -> None:
    with pytest.raises(ValidationError) as refused:
        person_merge(
            survivor=records.survivor,
            merged=records.merged,
            performed_by=records.lead,
            reason=reason,
        )

    assert refused.value.message_dict == {"reason": ["Say why, for the audit trail"]}
    assert not Merge.objects.exists()


# Who may merge.


def test_a_practitioner_may_not_merge_even_as_a_member_of_both(records) -> None:
    practitioner = records.survivor.network.memberships.get(is_coordinator=True).user
    member_add_for_test(
        network=records.merged.network,
        user=practitioner,
        kind=MemberKind.PROFESSIONAL,
        agency=records.agency,
    )
    before = _snapshot()

    assert not merge_allowed(user=practitioner, survivor=records.survivor, merged=records.merged)
    with pytest.raises(PermissionDenied):
        person_merge(
            survivor=records.survivor, merged=records.merged, performed_by=practitioner, reason="x"
        )
    assert _snapshot() == before


def test_a_lead_may_merge_only_when_they_see_both_networks(records) -> None:
    other_agency = AgencyFactory.create()
    other_lead = staff_create(role=StaffRole.SAFEGUARDING_LEAD, agency=other_agency)
    # The other agency is involved with the merged record only.
    assert merge_allowed(user=records.lead, survivor=records.survivor, merged=records.merged)
    assert not merge_allowed(user=other_lead, survivor=records.survivor, merged=records.merged)

    involvement_add_for_test(network=records.survivor.network, agency=other_agency)

    assert not merge_allowed(user=other_lead, survivor=records.survivor, merged=records.merged)
    involvement_add_for_test(network=records.merged.network, agency=other_agency)
    assert merge_allowed(user=other_lead, survivor=records.survivor, merged=records.merged)


def test_an_agency_admin_may_merge_networks_they_belong_to(records) -> None:
    admin = staff_create(role=StaffRole.AGENCY_ADMIN, agency=records.agency)
    assert not merge_allowed(user=admin, survivor=records.survivor, merged=records.merged)

    for person in (records.survivor, records.merged):
        member_add_for_test(
            network=person.network, user=admin, kind=MemberKind.PROFESSIONAL, agency=records.agency
        )

    assert merge_allowed(user=admin, survivor=records.survivor, merged=records.merged)


def test_a_lead_no_longer_active_may_not_merge(records) -> None:
    StaffMembership.objects.filter(user=records.lead).update(is_active=False)

    assert not merge_allowed(user=records.lead, survivor=records.survivor, merged=records.merged)


def test_the_lead_who_merged_may_undo_though_the_merged_network_is_now_empty(records) -> None:
    merge = _merge(records)
    assert not networks_visible_to(user=records.lead).filter(pk=records.merged.network.pk)

    assert merge_allowed(user=records.lead, survivor=records.survivor, merged=records.merged)
    person_merge_undo(merge=merge, undone_by=records.lead, reason="Twins")


def test_undo_is_refused_to_someone_who_may_not_see_the_survivors_network(records) -> None:
    merge = _merge(records)
    stranger = staff_create(role=StaffRole.SAFEGUARDING_LEAD)

    with pytest.raises(PermissionDenied):
        person_merge_undo(merge=merge, undone_by=stranger, reason="Twins")
    records.merged.refresh_from_db()
    assert records.merged.merged_into == records.survivor


# Deciding a pair is not one person.


def test_dismissing_a_pair_records_who_decided_and_audits_both(records) -> None:
    pair = MatchCandidate.objects.get()

    match_candidate_dismiss(candidate=pair, decided_by=records.lead)

    pair.refresh_from_db()
    assert (pair.status, pair.decided_by) == (MatchStatus.DISMISSED, records.lead)
    audited = AuditEvent.objects.filter(object_type="match_candidate")
    assert {event.person_id for event in audited} == {records.survivor.pk, records.merged.pk}


def test_a_decided_pair_cannot_be_dismissed(records) -> None:
    pair = MatchCandidate.objects.get()
    match_candidate_dismiss(candidate=pair, decided_by=records.lead)

    with pytest.raises(ValidationError, match="already been decided"):
        match_candidate_dismiss(candidate=pair, decided_by=records.lead)


def test_a_practitioner_may_not_dismiss_a_pair(records) -> None:
    practitioner = records.survivor.network.memberships.get(is_coordinator=True).user

    with pytest.raises(PermissionDenied):
        match_candidate_dismiss(candidate=MatchCandidate.objects.get(), decided_by=practitioner)
    assert MatchCandidate.objects.get().status == MatchStatus.OPEN


# The registries: nothing that belongs to a person or a network is left behind by a merge.


def test_every_link_to_a_person_or_network_is_moved_or_said_why_not() -> None:
    handled = set(NETWORK_OWNED) | set(PERSON_OWNED) | set(MERGE_SPECIAL_LINKS)
    links = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model in (Person, Network)
    }

    unhandled = links - handled
    assert not unhandled, (
        f"{sorted(unhandled)} link to a Person or Network but a merge would leave them "
        "behind: add them to NETWORK_OWNED or PERSON_OWNED in caregraph/services/merge.py"
    )
    assert not handled - links, f"registered but not a link any more: {handled - links}"
