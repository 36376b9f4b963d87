"""Request and response bodies of procurement rounds and their moves."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from catalogue_licensing.agreements.schemas import Currency
from catalogue_licensing.procurement.rounds.calendar import zone_of
from catalogue_licensing.procurement.rounds.states import RoundState
from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel, PatchModel


def _known_zone(name: str) -> str:
    zone_of(name)
    return name


TimeZone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    AfterValidator(_known_zone),
    Field(
        description="IANA time zone of the round's dates and deadlines", examples=["Europe/Oslo"]
    ),
]
NoticeId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9\-/ ]{1,39}$")]
LocalDeadline = Annotated[
    datetime,
    Field(
        description="Wall-clock time in the round's time zone (no offset), or an instant with one",
        examples=["2027-08-10T12:00:00"],
    ),
]


class RoundIn(InputModel):
    title: str = Field(min_length=1, max_length=300, examples=["Digitale tjenester 2028"])
    time_zone: TimeZone = "Europe/Oslo"
    currency: Currency = "NOK"
    contract_start: date
    contract_end: date
    doffin_notice_id: NoticeId | None = Field(None, examples=["2027-104233"])
    doffin_published_on: date | None = None
    ted_notice_id: NoticeId | None = Field(None, examples=["2027/S 081-245001"])
    ted_published_on: date | None = None
    supplier_meeting_on: date | None = None
    declaration_deadline: LocalDeadline
    offer_deadline: LocalDeadline
    negotiation_start: date
    negotiation_end: date = Field(description="Last day of negotiation (inclusive)")
    award_on: date = Field(description="The day awards may be made from")


class RoundPatch(PatchModel):
    """Fields to change while the round is a draft."""

    clearable = frozenset(
        {
            "doffin_notice_id",
            "doffin_published_on",
            "ted_notice_id",
            "ted_published_on",
            "supplier_meeting_on",
        }
    )

    title: str | None = Field(None, min_length=1, max_length=300)
    time_zone: TimeZone | None = None
    currency: Currency | None = None
    contract_start: date | None = None
    contract_end: date | None = None
    doffin_notice_id: NoticeId | None = None
    doffin_published_on: date | None = None
    ted_notice_id: NoticeId | None = None
    ted_published_on: date | None = None
    supplier_meeting_on: date | None = None
    declaration_deadline: LocalDeadline | None = None
    offer_deadline: LocalDeadline | None = None
    negotiation_start: date | None = None
    negotiation_end: date | None = None
    award_on: date | None = None


class RoundOut(OutputModel):
    id: uuid.UUID
    title: str
    state: RoundState
    allowed_moves: list[RoundState] = Field(description="States the round may move to next")
    time_zone: str
    currency: str
    contract_start: date
    contract_end: date
    doffin_notice_id: str | None
    doffin_published_on: date | None
    ted_notice_id: str | None
    ted_published_on: date | None
    supplier_meeting_on: date | None
    declaration_deadline: datetime = Field(description="In the round's time zone, with its offset")
    offer_deadline: datetime = Field(description="In the round's time zone, with its offset")
    negotiation_start: date
    negotiation_end: date
    award_on: date
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime


class MoveIn(InputModel):
    to: RoundState = Field(description="The state to move the round to")


class MoveOut(OutputModel):
    seq: int
    from_state: RoundState
    to_state: RoundState
    moved_by: str
    moved_at: datetime
    round_version: int


class RoundQuery(PageQuery):
    state: RoundState | None = Field(None, description="Only rounds in this state")
