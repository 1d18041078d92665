"""The network endpoints' base answers who may be here before the handler reads the body:
someone outside hears 404 and a member who may not do this 403, whatever they sent."""

import pytest

from caregraph.models import Invitation, MemberKind
from concerns.models import Concern
from tests.api.helpers import API, client_for, coordinator_of, errors, member_add, network_create
from tests.factories import staff_create

pytestmark = pytest.mark.django_db

NOT_JSON = "{this is not json"


def test_someone_outside_hears_404_before_their_body_is_read() -> None:
    network = network_create()
    outsider = client_for(staff_create())

    for path in ("concerns/", "events/", "tasks/", "involvements/", "invitations/"):
        response = outsider.post(
            f"{API}/networks/{network.pk}/{path}",
            NOT_JSON,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"retry-{path}",
        )

        assert response.status_code == 404, path
        assert errors(response) == {"non_field_errors": ["Not found."]}
    assert Concern.objects.count() == 0


def test_a_member_who_may_not_do_this_is_told_so_before_their_body_is_read() -> None:
    network = network_create()
    aunt = client_for(member_add(network, kind=MemberKind.FAMILY).user)

    response = aunt.post(
        f"{API}/networks/{network.pk}/invitations/",
        NOT_JSON,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="invite-1",
    )

    assert response.status_code == 403
    assert errors(response) == {
        "non_field_errors": ["Only a coordinator of this network can invite people"]
    }
    assert Invitation.objects.count() == 0


def test_a_coordinator_s_malformed_body_is_still_answered_400() -> None:
    network = network_create()
    coordinator = client_for(coordinator_of(network))

    response = coordinator.post(
        f"{API}/networks/{network.pk}/invitations/", NOT_JSON, content_type="application/json"
    )

    assert response.status_code == 400
