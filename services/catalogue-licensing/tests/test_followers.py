"""The directory's extension points: the service wires the agreements into them, and a directory
change in a process that forgot the wiring fails instead of skipping the cost shares."""

from __future__ import annotations

import uuid

import pytest

from catalogue_licensing.agreements.cost_shares.service import follow_population_change
from catalogue_licensing.agreements.participation.service import refuse_moving_a_participant
from catalogue_licensing.app import SPEC
from catalogue_licensing.directory.followers import FOLLOWERS, DirectoryFollowers, NotWired
from catalogue_licensing.wiring import wire
from chassis.auth import Principal


def test_the_app_wires_the_agreements_into_the_directory_once():
    assert SPEC.name == "catalogue"  # importing the app is what wired them
    wire()  # a second wiring (the CLI, the demo loader) adds nothing
    assert FOLLOWERS.population_followers == [follow_population_change]
    assert FOLLOWERS.move_guards == [refuse_moving_a_participant]


async def test_an_unwired_directory_refuses_to_change_a_population():
    followers = DirectoryFollowers()
    with pytest.raises(NotWired):
        await followers.population_changed(
            None,  # type: ignore[arg-type]  # refused before the session is used
            county_ids=[uuid.uuid4()],
            principal=Principal(subject="t", roles=frozenset()),
            request_id=None,
        )
