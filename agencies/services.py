"""Agencies, their staff, and their involvement with the person at the centre of a network."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from phonenumber_field.phonenumber import PhoneNumber, to_python

from accounts.models import User
from agencies.models import Agency, Involvement, StaffMembership, StaffRole
from caregraph.models import AuditAction, Network, NetworkEventKind, Visibility
from caregraph.policy import (
    Viewer,
    involvement_may_change,
    involvement_may_end,
    involvement_may_record_for,
    viewer_for,
)
from caregraph.realtime import network_access_revoked, publish_on_commit
from caregraph.services.events import network_change_record, network_events_follow_record

ODS_CODE = re.compile(r"^[A-Z0-9]{3,10}$")


def agency_code_normalise(code: str) -> str:
    code = (code or "").strip().upper()
    if code and not ODS_CODE.match(code):
        raise ValidationError({"code": ["An organisation code is 3 to 10 letters or digits"]})
    return code


def agency_create(*, name: str, kind: str, code: str = "") -> Agency:
    code = agency_code_normalise(code)
    if code and Agency.objects.filter(code=code).exists():
        raise ValidationError({"code": ["Another agency already has this code"]})
    return Agency.objects.create(name=name.strip(), kind=kind, code=code)


def staff_add(*, agency: Agency, user: User, role: str, job_title: str = "") -> StaffMembership:
    staff, _ = StaffMembership.objects.update_or_create(
        user=user, agency=agency, role=role, defaults={"job_title": job_title, "is_active": True}
    )
    return staff


def staff_work_contact_set(*, user: User, agency: Agency, work_phone: str, work_email: str) -> None:
    """A professional's work phone and e-mail at one agency (every role they hold there).

    This is what the family of a network they coordinate are shown of them
    (`caregraph.policy.work_contact_may_be_shown`); their account's own phone and e-mail
    never are. Either may be left empty.
    """
    errors: dict[str, list[str]] = {}
    phone = to_python(work_phone.strip(), region=settings.PHONENUMBER_DEFAULT_REGION)
    if work_phone.strip() and not (isinstance(phone, PhoneNumber) and phone.is_valid()):
        errors["work_phone"] = ["Enter a work phone number, like 0113 496 0000"]
    email = work_email.strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["work_email"] = ["Enter a work e-mail address, like name@agency.gov.uk"]
    if errors:
        raise ValidationError(errors)
    staff = StaffMembership.objects.filter(user=user, agency=agency, is_active=True)
    if not staff.exists():
        raise PermissionDenied("You do not work for this agency")
    staff.update(work_phone=phone if work_phone.strip() else "", work_email=email)


def _involvement_change_record(
    involvement: Involvement, *, actor: User, action: str, summary: str, kind: str
) -> None:
    """Audits a change of involvement and appends it with the involvement's audience."""
    network_change_record(
        network=involvement.network,
        actor=actor,
        action=action,
        summary=summary,
        kind=kind,
        visibility=involvement.visibility,
        author_id=involvement.created_by_id,
        author_agency_id=involvement.author_agency_id,
        record_type="involvement",
        record_id=involvement.pk,
        payload={
            "involvement_id": involvement.pk,
            "agency": involvement.agency.name,
            "service": involvement.service,
            "started_on": involvement.started_on.isoformat(),
            "ended_on": involvement.ended_on.isoformat() if involvement.ended_on else None,
        },
    )


def _check_involvement(
    *, viewer: Viewer, visibility: str, started_on: datetime.date, ended_on: datetime.date | None
) -> None:
    if not viewer.may_record:
        raise PermissionDenied("Only professionals can record agency involvement")
    errors: dict[str, list[str]] = {}
    if visibility not in viewer.visibilities_allowed():
        errors["visibility"] = ["You cannot choose this visibility"]
    if ended_on is not None and ended_on < started_on:
        errors["ended_on"] = ["The end date must be the same as or after the start date"]
    if errors:
        raise ValidationError(errors)


def involvement_create(
    *,
    network: Network,
    viewer: Viewer,
    created_by: User,
    agency: Agency,
    service: str,
    started_on: datetime.date,
    ended_on: datetime.date | None = None,
    lead_professional: User | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    visibility: str = Visibility.PROFESSIONALS,
) -> Involvement:
    """Records that an agency is involved: who leads, how to reach them, from when to when.

    A professional records their own agency's involvement only: an involved agency's
    safeguarding leads review the network, so another agency comes in through its own staff
    (an invitation, or a request to join that the coordinator approves).
    """
    _check_involvement(
        viewer=viewer, visibility=visibility, started_on=started_on, ended_on=ended_on
    )
    if not involvement_may_record_for(viewer=viewer, agency_id=agency.pk):
        raise PermissionDenied(
            "You can record involvement only for an agency you work for. Another agency "
            "joins through its own staff: invite them, or they ask to join."
        )
    with transaction.atomic():
        involvement = Involvement.objects.create(
            network=network,
            agency=agency,
            service=service.strip(),
            started_on=started_on,
            ended_on=ended_on,
            lead_professional=lead_professional,
            contact_name=contact_name.strip(),
            contact_phone=contact_phone.strip(),
            contact_email=contact_email.strip(),
            visibility=visibility,
            created_by=created_by,
            author_agency=agency,
        )
        _involvement_change_record(
            involvement,
            actor=created_by,
            action=AuditAction.CREATE,
            summary=f"Recorded {agency}'s involvement",
            kind=NetworkEventKind.INVOLVEMENT_STARTED,
        )
    return involvement


def involvement_update(
    *,
    involvement: Involvement,
    viewer: Viewer,
    updated_by: User,
    service: str,
    started_on: datetime.date,
    ended_on: datetime.date | None,
    lead_professional: User | None,
    contact_name: str,
    contact_phone: str,
    contact_email: str,
    visibility: str,
) -> Involvement:
    """Changes an involvement. Only the involved agency's own professionals change it; a
    coordinator of another agency may only end it (a change of the end date alone)."""
    if not involvement_may_change(viewer=viewer, involvement=involvement):
        only_ending = (
            service.strip(),
            started_on,
            lead_professional.pk if lead_professional else None,
            contact_name.strip(),
            contact_phone.strip(),
            contact_email.strip(),
            visibility,
        ) == (
            involvement.service,
            involvement.started_on,
            involvement.lead_professional_id,
            involvement.contact_name,
            involvement.contact_phone,
            involvement.contact_email,
            involvement.visibility,
        )
        if only_ending and ended_on is not None and ended_on != involvement.ended_on:
            return involvement_end(
                involvement=involvement, viewer=viewer, ended_by=updated_by, ended_on=ended_on
            )
        raise PermissionDenied(
            f"Only {involvement.agency}'s own professionals can change its involvement"
        )
    _check_involvement(
        viewer=viewer, visibility=visibility, started_on=started_on, ended_on=ended_on
    )
    involvement.service = service.strip()
    involvement.started_on, involvement.ended_on = started_on, ended_on
    involvement.lead_professional = lead_professional
    involvement.contact_name = contact_name.strip()
    involvement.contact_phone = contact_phone.strip()
    involvement.contact_email = contact_email.strip()
    involvement.visibility = visibility
    with transaction.atomic():
        involvement.save()
        network_events_follow_record(
            network_id=involvement.network_id,
            record_type="involvement",
            record_id=involvement.pk,
            visibility=involvement.visibility,
            author_id=involvement.created_by_id,
            author_agency_id=involvement.author_agency_id,
        )
        _involvement_change_record(
            involvement,
            actor=updated_by,
            action=AuditAction.UPDATE,
            summary=f"Changed {involvement.agency}'s involvement",
            kind=NetworkEventKind.INVOLVEMENT_CHANGED,
        )
        if ended_on is not None:
            publish_on_commit(involvement_leads_revoke, involvement_id=involvement.pk)
    return involvement


def involvement_end(
    *, involvement: Involvement, viewer: Viewer, ended_by: User, ended_on: datetime.date
) -> Involvement:
    """Ends an involvement: its agency's professionals, or a coordinator, may. Safeguarding
    leads who reviewed the network only through it lose it at once."""
    if not involvement_may_end(viewer=viewer, involvement=involvement):
        raise PermissionDenied(
            f"Only {involvement.agency}'s own professionals or a coordinator can end its "
            "involvement"
        )
    if ended_on < involvement.started_on:
        raise ValidationError(
            {"ended_on": ["The end date must be the same as or after the start date"]}
        )
    involvement.ended_on = ended_on
    with transaction.atomic():
        involvement.save(update_fields=["ended_on", "updated_at"])
        _involvement_change_record(
            involvement,
            actor=ended_by,
            action=AuditAction.UPDATE,
            summary=f"Closed {involvement.agency}'s involvement",
            kind=NetworkEventKind.INVOLVEMENT_CHANGED,
        )
        publish_on_commit(involvement_leads_revoke, involvement_id=involvement.pk)
    return involvement


def involvement_leads_revoke(*, involvement_id: int) -> None:
    """Closes the sockets of safeguarding leads who reviewed the network only through this
    agency: they lose it at once (published after commit, through the doorbell)."""
    involvement = Involvement.objects.select_related("network").filter(pk=involvement_id).first()
    if involvement is None:
        return
    network = involvement.network
    leads = User.objects.filter(
        staff_memberships__agency_id=involvement.agency_id,
        staff_memberships__role=StaffRole.SAFEGUARDING_LEAD,
        staff_memberships__is_active=True,
    ).distinct()
    for lead in leads:
        if viewer_for(user=lead, network=network) is None:
            network_access_revoked(network_id=network.pk, user_id=lead.pk)
