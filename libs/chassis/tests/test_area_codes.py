"""The natural-code forms of areas per country: Norway's numbers, Belgium's NIS, the Netherlands'
CBS; a country without a known form takes any code."""

import pytest

from chassis.area_codes import code_problem


@pytest.mark.parametrize(
    ("country", "level", "code"),
    [
        ("NO", "county", "03"),
        ("NO", "municipality", "0301"),
        ("BE", "county", "40000"),
        ("BE", "municipality", "44021"),
        ("NL", "county", "PV22"),
        ("NL", "municipality", "GM0106"),
        ("SE", "county", "AB"),
    ],
)
def test_a_code_in_its_countrys_form_passes(country, level, code):
    assert code_problem(country, level, code) is None


@pytest.mark.parametrize(
    ("country", "level", "code", "said"),
    [
        ("NO", "county", "3", "two digits"),
        ("NO", "municipality", "301", "four digits"),
        ("BE", "county", "4000", "five digits"),
        ("BE", "municipality", "GM0106", "five digits"),
        ("NL", "county", "22", "PV and two digits"),
        ("NL", "municipality", "gm0106", "GM and four digits"),
        ("NL", "municipality", "GM01066", "GM and four digits"),
    ],
)
def test_a_code_in_another_form_is_named(country, level, code, said):
    problem = code_problem(country, level, code)
    assert problem is not None
    assert said in problem
    assert repr(code) in problem
