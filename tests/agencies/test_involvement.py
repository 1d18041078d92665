"""Agency involvement: who else is involved, and how to reach them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agencies.models import Involvement
from agencies.selectors import involvement_list
from agencies.services import involvement_create
from caregraph.models import AuditEvent, MemberKind
from caregraph.policy import viewer_for
from tests.factories import AgencyFactory
from tests.networks import coordinator_of, member_add, network_create, viewer, works_for

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 21)


def test_a_practitioner_records_involvement_and_it_is_audited() -> None:
    network = network_create()
    coordinator = works_for(coordinator_of(network), AgencyFactory.create(name="Oakwood Primary"))
    school = coordinator.staff_memberships.get(agency__name="Oakwood Primary").agency

    involvement = involvement_create(
        network=network,
        viewer=viewer(network, coordinator),
        created_by=coordinator,
        agency=school,
        service="Designated safeguarding lead",
        started_on=TODAY,
        contact_phone="0191 000 0000",
    )

    assert involvement.visibility == "professionals"
    assert AuditEvent.objects.filter(object_type="involvement", object_id=involvement.pk).exists()
    assert network.involvements.get().agency == school


def test_an_end_before_the_start_is_refused_and_nothing_is_stored() -> None:
    network = network_create()
    coordinator = coordinator_of(network)
    with pytest.raises(ValidationError) as error:
        involvement_create(
            network=network,
            viewer=viewer(network, coordinator),
            created_by=coordinator,
            agency=coordinator.staff_memberships.get().agency,
            service="Health visiting",
            started_on=TODAY,
            ended_on=TODAY - datetime.timedelta(days=1),
        )
    assert "ended_on" in error.value.message_dict
    assert not Involvement.objects.exists()


def test_family_cannot_record_involvement_or_choose_professional_visibility() -> None:
    network = network_create()
    family = member_add(network, kind=MemberKind.FAMILY).user
    family_viewer = viewer(network, family)
    assert family_viewer.visibilities_allowed() == ["network"]
    with pytest.raises(PermissionDenied):
        involvement_create(
            network=network,
            viewer=family_viewer,
            created_by=family,
            agency=AgencyFactory.create(),
            service="Anything",
            started_on=TODAY,
        )


def test_family_see_only_involvement_shared_with_everyone() -> None:
    network = network_create()
    coordinator = coordinator_of(network)
    for visibility in ("network", "professionals"):
        involvement_create(
            network=network,
            viewer=viewer(network, coordinator),
            created_by=coordinator,
            agency=coordinator.staff_memberships.get().agency,
            service=f"Shared with {visibility}",
            started_on=TODAY,
            visibility=visibility,
        )
    family = member_add(network).user
    family_view = viewer_for(user=family, network=network)
    assert family_view is not None
    assert [i.service for i in involvement_list(viewer=family_view)] == ["Shared with network"]
    assert len(involvement_list(viewer=viewer(network, coordinator))) == 2


@pytest.mark.redis
def test_ending_the_only_involvement_closes_a_reviewing_leads_sockets(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    import json

    import redis
    from django.conf import settings
    from django.utils import timezone

    from agencies.models import StaffRole
    from agencies.services import involvement_end
    from caregraph.hub import network_channel
    from tests.factories import staff_create

    today = timezone.localdate()
    network = network_create()
    police = AgencyFactory.create(name="Police")
    # The coordinator also works for the police; the police are involved only through this.
    coordinator = works_for(coordinator_of(network), police)
    involvement = involvement_create(
        network=network,
        viewer=viewer(network, coordinator),
        created_by=coordinator,
        agency=police,
        service="Neighbourhood team",
        started_on=today - datetime.timedelta(days=30),
    )
    lead = staff_create(agency=police, role=StaffRole.SAFEGUARDING_LEAD)
    assert viewer_for(user=lead, network=network) is not None
    bus = redis.Redis.from_url(settings.REDIS_URL).pubsub(ignore_subscribe_messages=True)
    bus.subscribe(network_channel(network.pk))  # what every web process's hub hears

    with django_capture_on_commit_callbacks(execute=True):
        involvement_end(
            involvement=involvement,
            viewer=viewer(network, coordinator),
            ended_by=coordinator,
            ended_on=today - datetime.timedelta(days=1),
        )

    assert viewer_for(user=lead, network=network) is None
    heard = [bus.get_message(timeout=2) for _ in range(3)]
    revocations = [json.loads(m["data"]) for m in heard if m and b"revoke" in m["data"]]
    assert revocations == [{"revoke": lead.pk}]
    bus.close()
