"""Request and response bodies of agreements, and the shapes (county numbers, ISILs) their
participation and cost shares reuse."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, ValidationInfo, field_validator

from catalogue_licensing.agreements.currencies import is_active_currency
from catalogue_licensing.agreements.split import SplitKey
from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel, PatchModel

# A generous upper bound: ten trillion minor units, far above any licence and far below 2^63.
MAX_PRICE_MINOR = 10**13
MAX_WEIGHT = 1_000_000
# Norway has about 350 public libraries and 2,800 schools; no county comes near this.
MAX_LIBRARIES_PER_PARTICIPATION = 2_000

# Official county numbers are short codes with leading zeros kept: "03", "46", "10000", "PV20".
CountyNumber = Annotated[
    str, StringConstraints(pattern=r"^[0-9A-Z]{2,10}$", min_length=2, max_length=10)
]
# ISO 15511: a prefix of 1 to 4 letters, a hyphen, then up to 11 characters; 16 at most.
ISIL_PATTERN = r"^[A-Za-z]{1,4}-[A-Za-z0-9:/\-]{1,11}$"
Isil = Annotated[str, StringConstraints(pattern=ISIL_PATTERN, min_length=3, max_length=16)]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
Terms = Annotated[
    dict[LanguageCode, Annotated[str, StringConstraints(min_length=1, max_length=10_000)]],
    Field(
        min_length=1,
        max_length=10,
        description="The agreement's terms by language (ISO 639-1): nb, nn, en ...",
        examples=[{"nb": "Fri bruk for lånere med lånekort.", "en": "Free use with a card."}],
    ),
]
# strict: a JSON number with a fraction (or a string) is refused, never rounded.
PriceMinor = Annotated[
    int,
    Field(
        strict=True,
        ge=0,
        le=MAX_PRICE_MINOR,
        description="Yearly price in minor units of `currency` (øre, cent): an integer",
        examples=[12_500_000],
    ),
]
Weight = Annotated[int, Field(strict=True, ge=1, le=MAX_WEIGHT)]
Weights = Annotated[
    dict[CountyNumber, Weight],
    Field(
        max_length=500,
        description="For split_key fixed_weights: a positive integer weight per county number",
        examples=[{"03": 3, "46": 2}],
    ),
]


def _known_currency(code: str) -> str:
    if not is_active_currency(code):
        raise ValueError(f"{code} is not an active ISO 4217 currency code")
    return code


Currency = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    AfterValidator(_known_currency),
    Field(description="ISO 4217 code of an active currency", examples=["NOK"]),
]


def _period_end_not_before_start(end: date | None, info: ValidationInfo) -> date | None:
    start = info.data.get("period_start")
    if end is not None and start is not None and end < start:
        raise ValueError("period_end must not be before period_start")
    return end


class AgreementIn(InputModel):
    product_id: uuid.UUID
    period_start: date = Field(description="First day of the contract period")
    period_end: date = Field(description="Last day of the contract period (inclusive)")
    yearly_price_minor: PriceMinor
    currency: Currency
    terms: Terms
    split_key: SplitKey = Field(description="How the yearly price is split among counties")
    weights: Weights | None = None

    _check_period = field_validator("period_end")(_period_end_not_before_start)


class AgreementPatch(PatchModel):
    """The fields to change; the product of an agreement never changes. `weights: null` clears
    them (for a split that needs none)."""

    clearable = frozenset({"weights"})

    period_start: date | None = None
    period_end: date | None = None
    yearly_price_minor: PriceMinor | None = None
    currency: Currency | None = None
    terms: Terms | None = None
    split_key: SplitKey | None = None
    weights: Weights | None = None

    _check_period = field_validator("period_end")(_period_end_not_before_start)


class AgreementOut(OutputModel):
    id: uuid.UUID
    product_id: uuid.UUID
    period_start: date
    period_end: date
    yearly_price_minor: int
    currency: str
    terms: dict[str, str]
    split_key: SplitKey
    weights: dict[str, int] | None
    participating_counties: list[str] = Field(description="County numbers, sorted")
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime


class AgreementQuery(PageQuery):
    product_id: uuid.UUID | None = Field(None, description="Only this product's")
    county: CountyNumber | None = Field(
        None, description="Only agreements this county takes part in (its number, e.g. 03)"
    )
    current_on: date | None = Field(
        None, description="Only agreements whose period includes this day"
    )
