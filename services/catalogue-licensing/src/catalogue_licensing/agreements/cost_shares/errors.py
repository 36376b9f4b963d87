"""The problems the cost split raises, each a kind with its own type."""

from chassis.problems import Conflict


class PopulationMissing(Conflict):
    slug = "population-missing"


class CostSplitImpossible(Conflict):
    slug = "cost-split-impossible"
