"""Networks and their members: invitations, requests to join, leaving and removal.

A coordinator invites and removes; leaving and removal take effect at once. Professionals
who find a person's record through a known identifier ask to join; a coordinator decides.
"""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency
from caregraph.models import (
    AuditAction,
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    MemberKind,
    Membership,
    MembershipStatus,
    Network,
    NetworkEventKind,
    PersonRelationship,
    RelationshipKind,
    Visibility,
)
from caregraph.policy import (
    Viewer,
    membership_may_change_visibility,
    membership_visibilities_allowed,
    user_acting_agency,
)
from caregraph.realtime import network_access_revoked, publish_on_commit
from caregraph.selectors import invitation_token_hash
from caregraph.services.audit import audit_record
from caregraph.services.events import network_change_record, network_events_follow_record

INVITATION_LIFETIME = datetime.timedelta(days=14)
RELATIONSHIP_INVERSE = {
    RelationshipKind.PARENT: RelationshipKind.CHILD,
    RelationshipKind.CHILD: RelationshipKind.PARENT,
    RelationshipKind.SIBLING: RelationshipKind.SIBLING,
    RelationshipKind.PARTNER: RelationshipKind.PARTNER,
    RelationshipKind.CARER: RelationshipKind.OTHER,
    RelationshipKind.OTHER: RelationshipKind.OTHER,
}


def _membership_payload(membership: Membership) -> dict[str, object]:
    """What those who may know of the member are told of a change: who, in what role."""
    return {
        "membership_id": membership.pk,
        "name": str(membership.user),
        "kind": membership.kind,
        "kind_label": membership.get_kind_display(),
        "status": membership.status,
    }


def _membership_change_record(
    membership: Membership,
    *,
    actor: User,
    action: str,
    summary: str,
    kind: str,
    reason: str = "",
) -> None:
    """Audits a membership change and appends it with the membership's own audience: its
    visibility, the member as its author and the agency they act for."""
    network_change_record(
        network=membership.network,
        actor=actor,
        action=action,
        summary=summary,
        kind=kind,
        payload=_membership_payload(membership),
        record_type="membership",
        record_id=membership.pk,
        visibility=membership.visibility,
        author_id=membership.user_id,
        author_agency_id=membership.agency_id,
        reason=reason,
    )


def _require_coordinator(viewer: Viewer) -> None:
    if not viewer.may_manage_members:
        raise PermissionDenied("Only a coordinator of this network can do that")


def _visibility_check(visibility: str) -> None:
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": ["Choose who may know this member is here"]})


def membership_add(
    *,
    network: Network,
    user: User,
    kind: str,
    added_by: User | None,
    relationship: str = "",
    agency: Agency | None = None,
    is_coordinator: bool = False,
    visibility: str = Visibility.NETWORK,
) -> Membership:
    """Adds an active member; someone already active in the network is refused.

    Only agency staff can be professional members, acting for one of their agencies. Only
    a professional's membership may be known to fewer than the whole network: family,
    friends and the person are always known to everyone in it.
    """
    _visibility_check(visibility)
    if kind == MemberKind.PROFESSIONAL:
        agency = user_acting_agency(user=user, agency=agency)
        if agency is None:
            raise ValidationError({"kind": ["Only agency staff can join as professionals"]})
    else:
        agency = None
        visibility = Visibility.NETWORK
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                network=network,
                user=user,
                kind=kind,
                relationship=relationship.strip(),
                agency=agency,
                is_coordinator=is_coordinator,
                visibility=visibility,
            )
            _membership_change_record(
                membership,
                actor=added_by or user,
                action=AuditAction.CREATE,
                summary=f"{user} joined as {membership.get_kind_display().lower()}",
                kind=NetworkEventKind.MEMBER_JOINED,
            )
    except IntegrityError as duplicate:
        raise ValidationError({"user": ["This person is already a member"]}) from duplicate
    return membership


def membership_end(
    *, membership: Membership, ended_by: User, viewer: Viewer, reason: str = ""
) -> Membership:
    """Ends a membership at once: a member may leave; a coordinator may remove anyone else.

    The last coordinator cannot leave or be removed while the network needs one, so that
    somebody can always manage it.
    """
    leaving = membership.user_id == ended_by.pk
    if not leaving:
        _require_coordinator(viewer)
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationError("This membership has already ended")
    if membership.is_coordinator:
        other_coordinators = Membership.objects.filter(
            network_id=membership.network_id, status=MembershipStatus.ACTIVE, is_coordinator=True
        ).exclude(pk=membership.pk)
        if not other_coordinators.exists():
            raise ValidationError(
                "A network needs a coordinator: make someone else a coordinator first"
            )
    membership.status = MembershipStatus.LEFT if leaving else MembershipStatus.REMOVED
    membership.ended_at = timezone.now()
    membership.ended_by = ended_by
    verb = "left" if leaving else "was removed from"
    with transaction.atomic():
        membership.save(update_fields=["status", "ended_at", "ended_by"])
        _membership_change_record(
            membership,
            actor=ended_by,
            action=AuditAction.REMOVE,
            summary=f"{membership.user} {verb} the network",
            kind=NetworkEventKind.MEMBER_LEFT,
            reason=reason,
        )
        publish_on_commit(
            network_access_revoked, network_id=membership.network_id, user_id=membership.user_id
        )
    return membership


def membership_set_coordinator(
    *, membership: Membership, is_coordinator: bool, changed_by: User, viewer: Viewer
) -> Membership:
    """A coordinator makes a member a coordinator, or stops them being one; the last
    coordinator stays. The change is audited and appended to the event log with the
    membership's audience, like every other change of a membership."""
    _require_coordinator(viewer)
    if not is_coordinator and membership.is_coordinator:
        others = Membership.objects.filter(
            network_id=membership.network_id, status=MembershipStatus.ACTIVE, is_coordinator=True
        ).exclude(pk=membership.pk)
        if not others.exists():
            raise ValidationError("A network needs a coordinator")
    membership.is_coordinator = is_coordinator
    with transaction.atomic():
        membership.save(update_fields=["is_coordinator"])
        _membership_change_record(
            membership,
            actor=changed_by,
            action=AuditAction.UPDATE,
            summary=f"{membership.user} {'is now' if is_coordinator else 'is no longer'} "
            "a coordinator",
            kind=NetworkEventKind.MEMBER_CHANGED,
        )
    return membership


def membership_visibility_set(
    *, membership: Membership, visibility: str, changed_by: User, viewer: Viewer
) -> Membership:
    """Changes who may know a professional member is here: the member themself, or a
    coordinator. The earlier entries about the membership in the event log follow, so that
    a member made professionals-only is no longer replayed to the family."""
    if not membership_may_change_visibility(viewer=viewer, membership=membership):
        raise PermissionDenied("Only the member or a coordinator can change this")
    if membership.kind != MemberKind.PROFESSIONAL:
        raise ValidationError(
            {"visibility": ["Family, friends and the person are known to everyone here"]}
        )
    if visibility not in membership_visibilities_allowed(viewer=viewer):
        raise ValidationError({"visibility": ["You cannot choose this visibility"]})
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationError("This membership has ended")
    with transaction.atomic():
        membership.visibility = visibility
        membership.save(update_fields=["visibility"])
        network_events_follow_record(
            network_id=membership.network_id,
            record_type="membership",
            record_id=membership.pk,
            visibility=visibility,
            author_id=membership.user_id,
            author_agency_id=membership.agency_id,
        )
        _membership_change_record(
            membership,
            actor=changed_by,
            action=AuditAction.UPDATE,
            summary=f"Changed who may know {membership.user} is in the network",
            kind=NetworkEventKind.MEMBER_CHANGED,
        )
    return membership


def invitation_record(
    *,
    network: Network,
    invited_by: User,
    viewer: Viewer,
    email: str,
    kind: str,
    relationship: str = "",
    agency: Agency | None = None,
    visibility: str = Visibility.NETWORK,
) -> tuple[Invitation, str]:
    """Stores an invitation by e-mail; returns it and its secret token, to be sent once.

    Only the token's hash is stored. This sends nothing: `notifications.invitations.
    invitation_create` stores the invitation and its e-mail together, the way people invite.
    """
    _require_coordinator(viewer)
    _visibility_check(visibility)
    if kind != MemberKind.PROFESSIONAL:
        visibility = Visibility.NETWORK
    elif visibility not in membership_visibilities_allowed(viewer=viewer):
        raise ValidationError({"visibility": ["You cannot choose this visibility"]})
    email = email.strip().lower()
    already = Membership.objects.filter(
        network=network, user__email__iexact=email, status=MembershipStatus.ACTIVE
    )
    if already.exists():
        raise ValidationError({"email": ["This person is already a member"]})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            network=network,
            email=email,
            kind=kind,
            relationship=relationship.strip(),
            agency=agency,
            visibility=visibility,
            token_hash=invitation_token_hash(token),
            invited_by=invited_by,
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        audit_record(
            actor=invited_by,
            action=AuditAction.CREATE,
            summary=f"Invited someone to join as {invitation.get_kind_display().lower()}",
            object_type="invitation",
            object_id=invitation.pk,
            network=network,
        )
    return invitation, token


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Accepting adds the signed-in user, whose e-mail must be the one invited."""
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(
            "This invitation was sent to a different e-mail address: sign in with that one"
        )
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at or locked.revoked_at or locked.expires_at <= timezone.now():
            raise ValidationError("This invitation has expired or has already been used")
        membership = membership_add(
            network=invitation.network,
            user=user,
            kind=invitation.kind,
            added_by=invitation.invited_by,
            relationship=invitation.relationship,
            agency=invitation.agency,
            visibility=invitation.visibility,
        )
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def invitation_revoke(*, invitation: Invitation, revoked_by: User, viewer: Viewer) -> None:
    _require_coordinator(viewer)
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            actor=revoked_by,
            action=AuditAction.REMOVE,
            summary="Withdrew an invitation",
            object_type="invitation",
            object_id=invitation.pk,
            network=invitation.network,
        )


def join_request_create(
    *,
    network: Network,
    requested_by: User,
    reason: str,
    visibility: str = Visibility.NETWORK,
) -> JoinRequest:
    """A professional asks to join a network they found; they see nothing until approved.

    They say who may know they are in it once they join (`visibility`).
    """
    _visibility_check(visibility)
    agency = user_acting_agency(user=requested_by)
    if agency is None:
        raise ValidationError("Only agency staff can ask to join a network")
    if not reason.strip():
        raise ValidationError({"reason": ["Say why you need to join this network"]})
    if Membership.objects.filter(
        network=network, user=requested_by, status=MembershipStatus.ACTIVE
    ).exists():
        raise ValidationError("You are already a member of this network")
    try:
        with transaction.atomic():
            request = JoinRequest.objects.create(
                network=network,
                requested_by=requested_by,
                agency=agency,
                reason=reason.strip(),
                visibility=visibility,
            )
            audit_record(
                actor=requested_by,
                action=AuditAction.CREATE,
                summary="Asked to join the network",
                object_type="join_request",
                object_id=request.pk,
                network=network,
                reason=reason.strip(),
            )
    except IntegrityError as duplicate:
        raise ValidationError("You have already asked to join this network") from duplicate
    return request


def join_request_decide(
    *, join_request: JoinRequest, decided_by: User, viewer: Viewer, approve: bool
) -> JoinRequest:
    """A coordinator approves (the requester joins as a professional) or declines."""
    _require_coordinator(viewer)
    if join_request.status != JoinRequestStatus.PENDING:
        raise ValidationError("This request has already been decided")
    with transaction.atomic():
        join_request.status = JoinRequestStatus.APPROVED if approve else JoinRequestStatus.DECLINED
        join_request.decided_by = decided_by
        join_request.decided_at = timezone.now()
        join_request.save(update_fields=["status", "decided_by", "decided_at"])
        if approve:
            membership_add(
                network=join_request.network,
                user=join_request.requested_by,
                kind=MemberKind.PROFESSIONAL,
                added_by=decided_by,
                agency=join_request.agency,
                visibility=join_request.visibility,
            )
        audit_record(
            actor=decided_by,
            action=AuditAction.UPDATE,
            summary=f"{'Approved' if approve else 'Declined'} a request to join",
            object_type="join_request",
            object_id=join_request.pk,
            network=join_request.network,
        )
    return join_request


def relationship_link(
    *, network: Network, relative_network: Network, kind: str, linked_by: User, viewer: Viewer
) -> PersonRelationship:
    """Records that the person at the centre of one network is `kind` of another's, both ways.

    The family view then shows the two together, to those who may see each of them.
    """
    if not viewer.is_professional:
        raise PermissionDenied("Only professionals can link family members")
    person, relative = network.person, relative_network.person
    if person.pk == relative.pk:
        raise ValidationError({"relative": ["A person cannot be their own relative"]})
    inverse = RELATIONSHIP_INVERSE[RelationshipKind(kind)]
    with transaction.atomic():
        link, _ = PersonRelationship.objects.update_or_create(
            person=person, relative=relative, defaults={"kind": kind}
        )
        PersonRelationship.objects.update_or_create(
            person=relative, relative=person, defaults={"kind": inverse}
        )
        audit_record(
            actor=linked_by,
            action=AuditAction.CREATE,
            summary=f"Linked a relative ({link.get_kind_display().lower()})",
            object_type="relationship",
            object_id=link.pk,
            network=network,
        )
    return link
