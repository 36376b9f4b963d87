"""Wiring the domains together at start-up: the agreements follow the directory's changes
(a county's new population recomputes cost shares, a participating library may not move county)
through the directory's extension points, so the directory never imports the agreements; the
awards check a round's conclusion through the rounds' extension point the same way."""

from __future__ import annotations

from catalogue_licensing.agreements.cost_shares.service import follow_population_change
from catalogue_licensing.agreements.participation.service import refuse_moving_a_participant
from catalogue_licensing.directory.followers import FOLLOWERS
from catalogue_licensing.procurement.award.service import refuse_unsettled_conclusion
from catalogue_licensing.procurement.rounds.hooks import MOVE_CHECKS


def wire() -> None:
    """Subscribe the agreements to the directory, and the awards to the rounds' moves (a round
    concludes only when its offers are settled); safe to call more than once."""
    FOLLOWERS.subscribe(
        population_changed=follow_population_change,
        library_moving=refuse_moving_a_participant,
    )
    MOVE_CHECKS.subscribe(refuse_unsettled_conclusion)
