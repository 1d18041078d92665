"""Who sees which wellbeing update, generated: every role x visibility on the page, the API
and both photo downloads (page and API), as written, after every update is narrowed or
widened, and after a member is removed. What a user receives is exactly what the design's
table allows; the live stream's share of it is in `test_live`.
"""

from __future__ import annotations

import pytest

from tests.wellbeing.world import (
    ROLES,
    SCENARIOS,
    api_markers,
    expected,
    page_markers,
    photo_markers,
    signed_in,
    world_build,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_each_role_sees_exactly_the_updates_and_photos_its_visibility_allows(
    scenario: str,
) -> None:
    world = world_build()
    # Addresses saved before the change: a removed member tries them afterwards.
    SCENARIOS[scenario](world)
    seen: dict[str, dict[str, set[str] | str]] = {}
    wanted: dict[str, dict[str, set[str] | str]] = {}
    for role in ROLES:
        client = signed_in(world.user(role))
        allowed = expected(world, role)
        photos_allowed = set() if allowed == "404" else allowed
        seen[role] = {
            "page": page_markers(world, client),
            "api": api_markers(world, client),
            "page_thumbnail": photo_markers(world, client, prefix="", size="thumbnail"),
            "page_full": photo_markers(world, client, prefix="", size="full"),
            "api_thumbnail": photo_markers(world, client, prefix="/api/v1", size="thumbnail"),
            "api_full": photo_markers(world, client, prefix="/api/v1", size="full"),
        }
        wanted[role] = {
            "page": allowed,
            "api": allowed,
            "page_thumbnail": photos_allowed,
            "page_full": photos_allowed,
            "api_thumbnail": photos_allowed,
            "api_full": photos_allowed,
        }
    assert seen == wanted
