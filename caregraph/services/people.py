"""Registering people, and their identifiers. Identifiers link; they never duplicate."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

import jellyfish
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency
from caregraph.identifiers import identifier_normalise
from caregraph.models import (
    AuditAction,
    Identifier,
    IdentifierSystem,
    MemberKind,
    Membership,
    Network,
    Person,
)
from caregraph.policy import Viewer, user_acting_agency, user_may_register_people
from caregraph.services.audit import audit_record

POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$")


def postcode_normalise(raw: str) -> str:
    """'sw1a1aa' -> 'SW1A 1AA'; an empty postcode stays empty."""
    compact = (raw or "").strip().upper()
    if not compact:
        return ""
    match = POSTCODE.match(compact)
    if not match:
        raise ValidationError("Enter a real postcode, like SW1A 1AA", code="postcode")
    return f"{match.group(1)} {match.group(2)}"


def name_key(name: str) -> str:
    """A phonetic key, so that Jon and John, or Smith and Smyth, find each other."""
    letters = re.sub(r"[^A-Za-z]", "", name or "")
    return jellyfish.soundex(letters) if letters else ""


@dataclass(frozen=True)
class IdentifierInput:
    system: str
    value: str
    agency: Agency | None = None


@dataclass
class Registration:
    """What registering found: a new person and network, or an existing record to ask to join."""

    person: Person
    network: Network
    created: bool
    matched_on: list[str] = field(default_factory=list)


def identifiers_normalise(identifiers: list[IdentifierInput]) -> list[IdentifierInput]:
    """Checks each identifier by its own rules; the error names the system that is wrong."""
    normalised, errors = [], {}
    for given in identifiers:
        try:
            value = identifier_normalise(system=given.system, value=given.value)
        except ValidationError as error:
            errors[given.system] = error.messages
            continue
        if given.system == IdentifierSystem.LA_CASE_REFERENCE and given.agency is None:
            errors[given.system] = ["A case reference belongs to an agency: choose which"]
            continue
        agency = given.agency if given.system == IdentifierSystem.LA_CASE_REFERENCE else None
        normalised.append(IdentifierInput(system=given.system, value=value, agency=agency))
    if errors:
        raise ValidationError(errors)
    return normalised


def person_find_by_identifiers(identifiers: list[IdentifierInput]) -> Person | None:
    for given in identifiers:
        found = (
            Identifier.objects.filter(system=given.system, value=given.value, agency=given.agency)
            .select_related("person")
            .first()
        )
        if found is not None:
            person = found.person
            while person.merged_into_id is not None:
                person = Person.objects.get(pk=person.merged_into_id)
            return person
    return None


BORN_EARLIEST = datetime.date(1900, 1, 1)


def date_of_birth_check(date_of_birth: datetime.date | None) -> None:
    """A date of birth is on or after 1 January 1900 and not in the future (or left out)."""
    if date_of_birth is None:
        return
    if not BORN_EARLIEST <= date_of_birth <= timezone.localdate():
        raise ValidationError(
            {"date_of_birth": ["Enter a date of birth between 1 January 1900 and today"]}
        )


def person_register(
    *,
    registered_by: User,
    agency: Agency | None,
    given_name: str,
    family_name: str,
    date_of_birth: datetime.date | None,
    postcode: str = "",
    address: str = "",
    identifiers: list[IdentifierInput] | None = None,
) -> Registration:
    """Registers a person and their network, unless an identifier says they are known.

    A known identifier never makes a second person: the caller is told a record exists, and
    may ask to join its network, without being shown its content. Two registrations racing
    with the same identifier are settled by the database's unique constraint: the loser
    finds the winner's person. The registering professional becomes the network's first
    coordinator. People with no shared identifier are matched on demographics afterwards.
    """
    if not user_may_register_people(user=registered_by):
        raise PermissionDenied("Only agency staff can register a person")
    date_of_birth_check(date_of_birth)
    agency = user_acting_agency(user=registered_by, agency=agency)
    checked = identifiers_normalise(identifiers or [])
    postcode = postcode_normalise(postcode)
    existing = person_find_by_identifiers(checked)
    if existing is not None:
        return _registration_of_existing(existing, checked)
    try:
        with transaction.atomic():
            registration = _person_create(
                registered_by=registered_by,
                agency=agency,
                given_name=given_name.strip(),
                family_name=family_name.strip(),
                date_of_birth=date_of_birth,
                postcode=postcode,
                address=address.strip(),
                identifiers=checked,
            )
    except IntegrityError:
        existing = person_find_by_identifiers(checked)
        if existing is None:
            raise
        return _registration_of_existing(existing, checked)
    from caregraph.services.matching import person_match_queue

    transaction.on_commit(lambda: person_match_queue(person_id=registration.person.pk))
    return registration


def _registration_of_existing(person: Person, identifiers: list[IdentifierInput]) -> Registration:
    matched = [
        given.system
        for given in identifiers
        if Identifier.objects.filter(
            person=person, system=given.system, value=given.value, agency=given.agency
        ).exists()
    ]
    return Registration(person=person, network=person.network, created=False, matched_on=matched)


def _person_create(
    *,
    registered_by: User,
    agency: Agency | None,
    given_name: str,
    family_name: str,
    date_of_birth: datetime.date | None,
    postcode: str,
    address: str,
    identifiers: list[IdentifierInput],
) -> Registration:
    person = Person.objects.create(
        given_name=given_name,
        family_name=family_name,
        given_name_key=name_key(given_name),
        family_name_key=name_key(family_name),
        date_of_birth=date_of_birth,
        postcode=postcode,
        address=address,
        created_by=registered_by,
    )
    Identifier.objects.bulk_create(
        Identifier(
            person=person,
            system=given.system,
            value=given.value,
            agency=given.agency,
            created_by=registered_by,
        )
        for given in identifiers
    )
    network = Network.objects.create(person=person, created_by=registered_by)
    Membership.objects.create(
        network=network,
        user=registered_by,
        kind=MemberKind.PROFESSIONAL,
        agency=agency,
        is_coordinator=True,
    )
    audit_record(
        actor=registered_by,
        action=AuditAction.CREATE,
        summary="Registered the person and started their network",
        object_type="person",
        object_id=person.pk,
        person=person,
        network=network,
    )
    return Registration(person=person, network=network, created=True)


def identifier_add(
    *,
    person: Person,
    viewer: Viewer,
    added_by: User,
    system: str,
    value: str,
    agency: Agency | None = None,
) -> Identifier:
    """Professionals add identifiers; one already held by someone else is refused, never moved."""
    if not viewer.may_record:
        raise PermissionDenied("Only professionals can add identifiers")
    (checked,) = identifiers_normalise([IdentifierInput(system=system, value=value, agency=agency)])
    holder = person_find_by_identifiers([checked])
    if holder is not None:
        if holder.pk == person.pk:
            raise ValidationError({"value": ["This person already has this identifier"]})
        raise ValidationError(
            {"value": ["Another person's record has this identifier: ask for a merge review"]}
        )
    with transaction.atomic():
        identifier = Identifier.objects.create(
            person=person,
            system=checked.system,
            value=checked.value,
            agency=checked.agency,
            created_by=added_by,
        )
        audit_record(
            actor=added_by,
            action=AuditAction.CREATE,
            summary=f"Added a {identifier.get_system_display()}",
            object_type="identifier",
            object_id=identifier.pk,
            person=person,
        )
    return identifier


def person_update(
    *,
    person: Person,
    viewer: Viewer,
    updated_by: User,
    given_name: str,
    family_name: str,
    date_of_birth: datetime.date | None,
    postcode: str,
    address: str,
) -> Person:
    """Professional members of the person's network keep their details right."""
    if not viewer.may_edit_person:
        raise PermissionDenied("Only professionals in this network can change these details")
    date_of_birth_check(date_of_birth)
    person.given_name, person.family_name = given_name.strip(), family_name.strip()
    person.given_name_key, person.family_name_key = name_key(given_name), name_key(family_name)
    person.date_of_birth = date_of_birth
    person.postcode = postcode_normalise(postcode)
    person.address = address.strip()
    with transaction.atomic():
        person.save()
        audit_record(
            actor=updated_by,
            action=AuditAction.UPDATE,
            summary="Changed the person's details",
            object_type="person",
            object_id=person.pk,
            person=person,
        )
    return person
