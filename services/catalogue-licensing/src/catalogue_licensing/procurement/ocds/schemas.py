"""The release package's outline for the contract; its releases follow the OCDS 1.1.5 release
schema (the tests validate them against the official files)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from chassis.schemas import OutputModel


class Publisher(OutputModel):
    name: str
    uri: str | None = None


class ReleasePackageOut(OutputModel):
    model_config = ConfigDict(extra="allow")

    uri: str
    version: str = Field(examples=["1.1"])
    publishedDate: datetime
    publisher: Publisher
    releases: list[dict[str, Any]] = Field(
        description="OCDS 1.1 releases, one per milestone: planning, tender, award, contract"
    )
