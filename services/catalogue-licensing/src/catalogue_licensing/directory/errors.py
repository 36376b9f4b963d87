"""The problems the directory's rules raise, each a kind with its own type."""

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
