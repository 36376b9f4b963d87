"""The problems the directory's rules raise, each a kind with its own type."""

from typing import Self

from chassis.problems import Conflict, FieldProblem, Forbidden, NotFound, Unprocessable


class CountyNotFound(NotFound):
    pass


class MunicipalityNotFound(NotFound):
    pass


class LibraryNotFound(NotFound):
    pass


class UnknownMunicipality(FieldProblem, Unprocessable):
    slug = "unknown-municipality"


class OutsideYourCounty(FieldProblem, Forbidden):
    slug = "outside-your-county"


class IsilCountryMismatch(FieldProblem, Unprocessable):
    slug = "isil-country-mismatch"


class DuplicateIsil(FieldProblem, Conflict):
    slug = "duplicate-isil"


class AmbiguousCounty(Conflict):
    slug = "ambiguous-county"


class CountryNotFound(NotFound):
    pass


class _NotFoundAt(FieldProblem, NotFound):
    """404 naming the query or path parameter (`query.country`, `path.number`) that names
    nothing: the value is well formed by the contract, but no such area or country exists."""

    @classmethod
    def at(cls, location: str, message: str) -> Self:
        problem = cls(location, message)
        for error in problem.errors or []:
            error.location = location
            error.pointer = ""
        return problem


class UnknownCountry(_NotFoundAt):
    """A country the directory does not hold: 404 in a query, 422 in a body (`BodyUnknownCountry`)."""

    slug = "unknown-country"


class CodeNotOfCountry(_NotFoundAt):
    """A code in another country's form (a NIS code with country=NL): no such area there."""

    slug = "code-not-of-country"


class BodyUnknownCountry(FieldProblem, Unprocessable):
    slug = "unknown-country"


class BodyCodeNotOfCountry(FieldProblem, Unprocessable):
    slug = "code-not-of-country"
