"""An offer's content: its pricing model, price lines in minor units, and terms; with the rules
that tie the lines to the model (tiers by population that neither overlap nor leave gaps)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from catalogue_licensing.agreements.schemas import LanguageCode, PriceMinor
from catalogue_licensing.procurement.offers.errors import PricingInvalid
from chassis.problems import FieldError, body_field_error
from chassis.schemas import InputModel, OutputModel

MAX_POPULATION = 100_000_000
Population = Annotated[int, Field(strict=True, ge=0, le=MAX_POPULATION)]


class PricingModel(StrEnum):
    flat = "flat"
    per_inhabitant = "per_inhabitant"
    per_loan = "per_loan"
    tiered_by_population = "tiered_by_population"


class PriceLine(InputModel):
    label: str = Field(min_length=1, max_length=200, examples=["Yearly licence"])
    amount_minor: PriceMinor
    min_population: Population | None = Field(
        None, description="Tiered: the tier's smallest population (inclusive)"
    )
    max_population: Population | None = Field(
        None, description="Tiered: the tier's largest population (inclusive); null on the last"
    )


class OfferTerms(InputModel):
    simultaneous_users: int | None = Field(
        None, strict=True, ge=1, le=10_000_000, description="Null: unlimited"
    )
    access_methods: list[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]] = (
        Field(min_length=1, max_length=10, examples=[["library_card", "feide"]])
    )
    home_use: bool
    sharing_allowed: bool
    support_contact: str = Field(min_length=1, max_length=500)
    valid_until: date = Field(description="The offer binds the vendor until this day")
    notes: dict[LanguageCode, Annotated[str, StringConstraints(max_length=5000)]] = Field(
        default_factory=dict, max_length=10
    )


class OfferContent(InputModel):
    pricing_model: PricingModel
    price_lines: list[PriceLine] = Field(min_length=1, max_length=50)
    terms: OfferTerms


class PriceLineOut(OutputModel):
    label: str
    amount_minor: int
    min_population: int | None
    max_population: int | None


class OfferTermsOut(OutputModel):
    simultaneous_users: int | None
    access_methods: list[str]
    home_use: bool
    sharing_allowed: bool
    support_contact: str
    valid_until: date
    notes: dict[str, str]


class OfferContentOut(OutputModel):
    pricing_model: PricingModel
    price_lines: list[PriceLineOut]
    terms: OfferTermsOut


def _line(index: int, name: str, message: str, kind: str) -> FieldError:
    return body_field_error(f"price_lines.{index}.{name}", message, kind)


def _tier_errors(lines: list[PriceLine]) -> list[FieldError]:
    errors: list[FieldError] = []
    expected_min = 0
    for index, line in enumerate(lines):
        last = index == len(lines) - 1
        low, high = line.min_population, line.max_population
        if low is None:
            errors.append(
                _line(
                    index, "min_population", "a tier needs its smallest population", "tier_bounds"
                )
            )
            return errors
        if low < expected_min:
            errors.append(
                _line(
                    index,
                    "min_population",
                    f"overlaps the tier before (it ends at {expected_min - 1})",
                    "tiers_overlap",
                )
            )
        elif low > expected_min:
            errors.append(
                _line(
                    index,
                    "min_population",
                    f"leaves a gap: populations {expected_min} to {low - 1} have no tier",
                    "tiers_gap",
                )
            )
        if last and high is not None:
            errors.append(
                _line(
                    index,
                    "max_population",
                    "the last tier is open-ended (null): no population may be left without a price",
                    "tiers_open_end",
                )
            )
        if not last and high is None:
            errors.append(
                _line(index, "max_population", "only the last tier is open-ended", "tier_bounds")
            )
            return errors
        if high is not None and high < low:
            errors.append(
                _line(index, "max_population", "must not be below min_population", "tier_bounds")
            )
            return errors
        expected_min = (high or 0) + 1
    return errors


def check_pricing(content: OfferContent) -> None:
    """422 naming each price line that does not fit the pricing model."""
    lines = content.price_lines
    if content.pricing_model is PricingModel.tiered_by_population:
        errors = _tier_errors(lines)
    else:
        errors = []
        if len(lines) != 1:
            errors.append(
                body_field_error(
                    "price_lines",
                    f"a {content.pricing_model} offer has exactly one price line",
                    "price_lines_count",
                )
            )
        for index, line in enumerate(lines):
            for name in ("min_population", "max_population"):
                if getattr(line, name) is not None:
                    errors.append(
                        _line(
                            index,
                            name,
                            "population bounds belong to tiered_by_population",
                            "tier_bounds",
                        )
                    )
    if errors:
        raise PricingInvalid(
            "; ".join(f"{e.location}: {e.message}" for e in errors[:5]), errors=errors
        )
