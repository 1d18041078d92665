"""Registering a person: a known identifier links to the existing record, never a second one."""

from __future__ import annotations

import threading
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from agencies.models import Agency
from caregraph.models import Identifier, IdentifierSystem, Network, Person
from caregraph.services import people
from caregraph.services.people import IdentifierInput, Registration
from tests.factories import (
    AgencyFactory,
    nhs_number_for_test,
    person_register_for_test,
    staff_create,
)

NHS_NUMBER = nhs_number_for_test(0)  # 9990000018


def _case_reference(value: str, agency: Agency | None) -> list[IdentifierInput]:
    return [IdentifierInput(system=IdentifierSystem.LA_CASE_REFERENCE, value=value, agency=agency)]


@pytest.mark.django_db
def test_a_new_nhs_number_registers_a_person_with_a_network_coordinated_by_the_registrar() -> None:
    agency = AgencyFactory.create()
    practitioner = staff_create(agency=agency)

    registration = person_register_for_test(
        registered_by=practitioner, agency=agency, nhs_number="999 000 0018"
    )

    assert registration.created is True
    assert registration.person.identifiers.get().value == "9990000018"
    coordinator = registration.network.memberships.get()
    assert (coordinator.user, coordinator.is_coordinator) == (practitioner, True)


@pytest.mark.django_db
def test_a_known_nhs_number_typed_differently_links_to_the_existing_person() -> None:
    first = person_register_for_test(nhs_number="9990000018")

    second = person_register_for_test(
        given_name="Amy", family_name="Hughes-Jones", nhs_number="999-000-0018"
    )

    assert second.created is False
    assert second.matched_on == [IdentifierSystem.NHS_NUMBER]
    assert second.person == first.person
    assert second.network == first.network
    assert Person.objects.count() == 1
    assert Network.objects.count() == 1
    assert Identifier.objects.count() == 1
    # The existing record is not changed by what the second registrar typed.
    second.person.refresh_from_db()
    assert second.person.full_name == "Amelia Hughes"


@pytest.mark.django_db
def test_the_second_registrar_is_not_made_a_member_of_the_existing_network() -> None:
    first = person_register_for_test(nhs_number=NHS_NUMBER)
    agency = AgencyFactory.create()
    second_practitioner = staff_create(agency=agency)

    person_register_for_test(
        registered_by=second_practitioner, agency=agency, nhs_number=NHS_NUMBER
    )

    assert not first.network.memberships.filter(user=second_practitioner).exists()


@pytest.mark.django_db
def test_matched_on_names_only_the_identifiers_that_matched() -> None:
    agency = AgencyFactory.create()
    person_register_for_test(agency=agency, nhs_number=NHS_NUMBER)

    again = person_register_for_test(
        agency=agency,
        nhs_number=NHS_NUMBER,
        identifiers=_case_reference("CS-1001", agency),
    )

    assert again.created is False
    assert again.matched_on == [IdentifierSystem.NHS_NUMBER]


@pytest.mark.django_db
def test_the_same_case_reference_at_two_agencies_is_two_people() -> None:
    northfield, riverside = AgencyFactory.create(), AgencyFactory.create()

    at_northfield = person_register_for_test(
        agency=northfield, identifiers=_case_reference("cs-1001", northfield)
    )
    at_riverside = person_register_for_test(
        agency=riverside, identifiers=_case_reference("CS-1001", riverside)
    )

    assert at_northfield.created is True
    assert at_riverside.created is True
    assert at_northfield.person != at_riverside.person
    assert Identifier.objects.filter(value="CS-1001").count() == 2


@pytest.mark.django_db
def test_the_same_case_reference_at_the_same_agency_links_to_the_existing_person() -> None:
    agency = AgencyFactory.create()
    first = person_register_for_test(agency=agency, identifiers=_case_reference("CS-1001", agency))

    again = person_register_for_test(
        agency=agency, given_name="Bob", identifiers=_case_reference(" cs-1001 ", agency)
    )

    assert again.created is False
    assert again.person == first.person
    assert again.matched_on == [IdentifierSystem.LA_CASE_REFERENCE]


@pytest.mark.django_db
def test_a_case_reference_without_an_agency_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        person_register_for_test(identifiers=_case_reference("CS-1001", None))

    assert refused.value.message_dict == {
        IdentifierSystem.LA_CASE_REFERENCE: ["A case reference belongs to an agency: choose which"]
    }
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_a_wrong_nhs_number_is_refused_beside_its_field_and_nothing_is_stored() -> None:
    with pytest.raises(ValidationError) as refused:
        person_register_for_test(nhs_number="999 000 0019")

    assert list(refused.value.message_dict) == [IdentifierSystem.NHS_NUMBER]
    assert Person.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_registrations_racing_with_one_nhs_number_make_one_person() -> None:
    """Both look the number up and find nobody before either stores it: the unique
    constraint decides, and the loser is pointed at the winner's person."""
    agency = AgencyFactory.create()
    practitioners = [staff_create(agency=agency), staff_create(agency=agency)]
    both_looked = threading.Barrier(2, timeout=20)
    real_find = people.person_find_by_identifiers
    looked_already = threading.local()
    first_lookups: list[Person | None] = []

    def find_after_both_looked(identifiers: list[IdentifierInput]) -> Person | None:
        if getattr(looked_already, "done", False):
            return real_find(identifiers)
        looked_already.done = True
        found = real_find(identifiers)
        first_lookups.append(found)
        both_looked.wait()
        return found

    results: dict[int, Registration] = {}
    errors: list[BaseException] = []

    def register(index: int) -> None:
        try:
            results[index] = person_register_for_test(
                registered_by=practitioners[index],
                agency=agency,
                nhs_number=["9990000018", "999-000-0018"][index],
            )
        except BaseException as error:
            errors.append(error)
            both_looked.abort()
        finally:
            connections.close_all()

    with mock.patch.object(people, "person_find_by_identifiers", find_after_both_looked):
        threads = [threading.Thread(target=register, args=(index,)) for index in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

    assert errors == []
    assert first_lookups == [None, None], "both must have looked before either stored"
    assert sorted(registration.created for registration in results.values()) == [False, True]
    assert results[0].person.pk == results[1].person.pk
    assert Person.objects.count() == 1
    assert Identifier.objects.get(system=IdentifierSystem.NHS_NUMBER).value == "9990000018"
    loser = next(registration for registration in results.values() if not registration.created)
    assert loser.matched_on == [IdentifierSystem.NHS_NUMBER]


@pytest.mark.django_db
def test_family_cannot_change_the_persons_details_or_add_identifiers() -> None:
    from django.core.exceptions import PermissionDenied

    from caregraph.models import MemberKind
    from caregraph.services.people import identifier_add, person_update
    from tests.networks import member_add, network_create, viewer

    network = network_create()
    family = member_add(network, kind=MemberKind.FAMILY).user
    family_viewer = viewer(network, family)
    with pytest.raises(PermissionDenied):
        person_update(
            person=network.person,
            viewer=family_viewer,
            updated_by=family,
            given_name="Changed",
            family_name="Name",
            date_of_birth=None,
            postcode="",
            address="",
        )
    with pytest.raises(PermissionDenied):
        identifier_add(
            person=network.person,
            viewer=family_viewer,
            added_by=family,
            system="ni_number",
            value="AB123456C",
        )
    network.person.refresh_from_db()
    assert network.person.given_name == "Alex"
    assert network.person.identifiers.count() == 1
