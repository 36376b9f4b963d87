"""Bodies of peer comparisons and rankings."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from chassis.pagination import PageQuery
from chassis.schemas import OutputModel
from kpi.peers.classes import SizeClassCode


class PeerQuery(BaseModel):
    indicator: str = Field(max_length=64, description="The indicator's code")
    organisation: str = Field(
        max_length=40,
        description="A library or a municipality: its id, ISIL or municipality number",
    )
    period: str = Field(
        max_length=8,
        description="ISO 8601 period, the indicator's periodicity or longer: YYYY, YYYY-Qn …",
    )


class SizeClassOut(OutputModel):
    code: SizeClassCode
    label: str
    min_population: int = Field(description="Included")
    max_population: int | None = Field(description="Excluded; null: no upper bound")


class PeerComparisonOut(OutputModel):
    indicator: str
    rule: str
    organisation_id: uuid.UUID
    organisation: str
    level: Literal["library", "municipality"]
    period: str
    population_year: int
    population: float | None = Field(
        description="The population served: the municipality's for a library"
    )
    size_class: SizeClassOut | None = Field(description="null when the population is unknown")
    value: float | None = Field(description="The organisation's own figure, by the rule")
    peer_median: float | None = Field(
        description="The median of the peers' figures; null with fewer than 3 peers"
    )
    peer_count: int = Field(
        description="Peers with a figure: same level, country and size class, itself excluded"
    )
    note: str | None = None


RankingLevel = Literal["library", "municipality", "county"]


class RankingQuery(PageQuery):
    indicator: str = Field(max_length=64, description="The indicator's code")
    period: str = Field(
        max_length=8,
        description="ISO 8601 period, the indicator's periodicity or longer: YYYY, YYYY-Qn …",
    )
    level: RankingLevel = Field(description="The level of the organisations ranked")
    within: str | None = Field(
        None,
        max_length=40,
        description="Only those under this organisation (a county, a country …): id or code",
    )
    size_class: SizeClassCode | None = Field(
        None, description="Only libraries or municipalities of this size class"
    )
    order: Literal["desc", "asc"] = Field(
        "desc", description="desc: the highest figure ranks first; asc: the lowest"
    )


class RankedOut(OutputModel):
    rank: int | None = Field(
        description="1, 2, 2, 4 …: equal figures share a rank; null for those without a figure"
    )
    organisation_id: uuid.UUID
    organisation: str
    name: str
    value: float | None
    numerator: float | None = Field(None, description="A ratio's rolled-up numerator")
    denominator: float | None = Field(None, description="A ratio's rolled-up denominator")
    note: str | None = None
