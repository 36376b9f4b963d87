"""The cost split: properties that hold for every input (hypothesis) and the use cases by name."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue_licensing.agreements.split import (
    Share,
    SplitError,
    SplitKey,
    largest_remainder,
    split_cost,
)

county_numbers = st.text(alphabet="0123456789", min_size=2, max_size=2)
bases_strategy = st.dictionaries(
    county_numbers, st.integers(min_value=0, max_value=10_000_000), min_size=1, max_size=15
).filter(lambda b: sum(b.values()) > 0)
totals = st.integers(min_value=0, max_value=10**15)


@given(total=totals, bases=bases_strategy)
def test_shares_add_up_to_the_total_and_are_never_negative(
    total: int, bases: dict[str, int]
) -> None:
    shares = largest_remainder(total, bases)
    assert sum(shares.values()) == total
    assert all(amount >= 0 for amount in shares.values())
    assert set(shares) == set(bases)


@given(total=totals, bases=bases_strategy)
def test_each_share_is_within_one_unit_of_its_exact_quota(
    total: int, bases: dict[str, int]
) -> None:
    basis_sum = sum(bases.values())
    for key, amount in largest_remainder(total, bases).items():
        quota = Fraction(total * bases[key], basis_sum)
        assert abs(amount - quota) < 1


@given(total=totals, bases=bases_strategy, data=st.data())
def test_the_order_of_the_input_does_not_matter(
    total: int, bases: dict[str, int], data: st.DataObject
) -> None:
    reordered = dict(data.draw(st.permutations(list(bases.items()))))
    assert largest_remainder(total, reordered) == largest_remainder(total, bases)


@given(total=totals, bases=bases_strategy)
def test_a_larger_basis_never_pays_less(total: int, bases: dict[str, int]) -> None:
    shares = largest_remainder(total, bases)
    for a in bases:
        for b in bases:
            if bases[a] > bases[b]:
                assert shares[a] >= shares[b], (a, b)
            elif bases[a] == bases[b]:
                # Equal quotas: the left-over unit may go to one of them only.
                assert abs(shares[a] - shares[b]) <= 1, (a, b)


@given(total=totals, counties=st.lists(county_numbers, min_size=1, max_size=15, unique=True))
def test_equal_shares_differ_by_at_most_one_unit(total: int, counties: list[str]) -> None:
    amounts = [s.amount for s in split_cost(total, SplitKey.equal, counties)]
    assert max(amounts) - min(amounts) <= 1
    assert sum(amounts) == total


@settings(max_examples=50)
@given(
    total=totals,
    weights=st.dictionaries(
        county_numbers, st.integers(min_value=1, max_value=1000), min_size=1, max_size=10
    ),
    data=st.data(),
)
def test_split_cost_is_stable_under_permutation_for_every_key(
    total: int, weights: dict[str, int], data: st.DataObject
) -> None:
    counties = list(weights)
    shuffled = data.draw(st.permutations(counties))
    for key in SplitKey:
        first = split_cost(total, key, counties, populations=weights, weights=weights)
        second = split_cost(total, key, shuffled, populations=weights, weights=weights)
        assert first == second
        assert [s.county for s in first] == sorted(counties)


# ---------------------------------------------------------------- use cases


def test_per_inhabitant_follows_population_and_gives_the_left_over_unit_by_remainder() -> None:
    shares = split_cost(
        100_000,
        SplitKey.per_inhabitant,
        ["46", "03"],
        populations={"03": 2, "46": 1},
    )
    # 100000 * 2/3 = 66666.67 and 100000 * 1/3 = 33333.33: Oslo's larger remainder takes the unit.
    assert shares == [Share("03", 66_667, 2), Share("46", 33_333, 1)]


def test_equal_remainder_ties_go_to_the_smaller_county_number() -> None:
    shares = split_cost(100, SplitKey.equal, ["50", "03", "46"])
    assert [(s.county, s.amount) for s in shares] == [("03", 34), ("46", 33), ("50", 33)]


def test_fixed_weights_split_in_proportion() -> None:
    shares = split_cost(
        1_000, SplitKey.fixed_weights, ["03", "46"], weights={"03": 3, "46": 1, "11": 5}
    )
    assert [(s.county, s.amount, s.basis) for s in shares] == [("03", 750, 3), ("46", 250, 1)]


def test_no_participants_no_shares() -> None:
    assert split_cost(1_000, SplitKey.equal, []) == []


def test_weights_must_cover_every_participant() -> None:
    with pytest.raises(SplitError) as refused:
        split_cost(1_000, SplitKey.fixed_weights, ["03", "46", "50"], weights={"03": 1})
    assert refused.value.counties == ("46", "50")


@pytest.mark.parametrize("weight", [0, -1, True, 1.5])
def test_weights_must_be_positive_integers(weight: object) -> None:
    with pytest.raises(SplitError, match="positive integers"):
        split_cost(1_000, SplitKey.fixed_weights, ["03"], weights={"03": weight})  # type: ignore[dict-item]


def test_per_inhabitant_names_the_counties_without_a_population() -> None:
    with pytest.raises(SplitError) as refused:
        split_cost(1_000, SplitKey.per_inhabitant, ["03", "46"], populations={"03": 700_000})
    assert refused.value.counties == ("46",)


def test_zero_total_basis_is_refused() -> None:
    with pytest.raises(SplitError, match="zero"):
        split_cost(1_000, SplitKey.per_inhabitant, ["03"], populations={"03": 0})


@pytest.mark.parametrize("total", [-1, 1.0])
def test_negative_or_fractional_totals_are_refused(total: object) -> None:
    with pytest.raises(SplitError):
        largest_remainder(total, {"03": 1})  # type: ignore[arg-type]


def test_a_county_listed_twice_is_refused() -> None:
    with pytest.raises(SplitError, match="twice"):
        split_cost(1_000, SplitKey.equal, ["03", "03"])


def test_a_zero_total_gives_zero_shares() -> None:
    assert [s.amount for s in split_cost(0, SplitKey.equal, ["03", "46"])] == [0, 0]
