"""Request and response bodies of negotiation."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Discriminator, Field, Tag

from catalogue_licensing.procurement.offers.pricing import (
    OfferContent,
    OfferContentOut,
    OfferTerms,
    PriceLine,
    PricingModel,
)
from chassis.schemas import InputModel, OutputModel

Message = Field(None, min_length=1, max_length=5000)


class StepKind(StrEnum):
    counter_proposal = "counter_proposal"
    proposal_accepted = "proposal_accepted"
    revised = "revised"
    proposal_declined = "proposal_declined"
    accepted = "accepted"
    rejected = "rejected"
    withdrawn = "withdrawn"


class CounterProposalIn(InputModel):
    """What the programme proposes: the offer's content with the fields given changed."""

    offer_id: uuid.UUID
    message: str = Field(min_length=1, max_length=5000)
    pricing_model: PricingModel | None = None
    price_lines: list[PriceLine] | None = Field(None, min_length=1, max_length=50)
    terms: OfferTerms | None = None


class AcceptProposal(InputModel):
    answer: Literal["accept"]
    message: str | None = Message


class DeclineProposal(InputModel):
    answer: Literal["decline"]
    message: str | None = Message


class ReviseOffer(OfferContent):
    answer: Literal["revise"]
    message: str | None = Message


class OutcomeIn(InputModel):
    outcome: Literal["accepted", "rejected", "withdrawn"] = Field(
        description="accepted or rejected: the programme's; withdrawn: the vendor's"
    )
    message: str | None = Message


class StepOut(OutputModel):
    seq: int
    offer_id: uuid.UUID
    kind: StepKind
    actor: str
    at: datetime
    message: str | None
    offer_version: int
    proposal: OfferContentOut | None = Field(
        description="A counter-proposal's content (null for other steps)"
    )


def _answer_of(value: object) -> str | None:
    found = value.get("answer") if isinstance(value, dict) else getattr(value, "answer", None)
    return found if isinstance(found, str) else None


# A callable discriminator, as the questionnaire's: the input models' NUL check runs first.
AnswerIn = Annotated[
    Annotated[AcceptProposal, Tag("accept")]
    | Annotated[DeclineProposal, Tag("decline")]
    | Annotated[ReviseOffer, Tag("revise")],
    Discriminator(
        _answer_of,
        custom_error_type="answer",
        custom_error_message="answer is one of: accept, decline, revise",
    ),
]
