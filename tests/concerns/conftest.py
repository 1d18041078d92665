import pytest

from tests.concerns.helpers import World, world_make


@pytest.fixture
def world(db: None) -> World:
    return world_make()
