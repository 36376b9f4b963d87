"""Problems that name the request field at fault, the way validation errors do, for rules checked
below the schema (unknown references, duplicates, scope)."""

from __future__ import annotations

from chassis.problems import FieldError, ProblemError


def field_problem(status: int, slug: str, *, field: str, message: str) -> ProblemError:
    """A problem about one body field: `field` is a dotted path ("procurement.sushi_url")."""
    parts = field.split(".")
    pointer = "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)
    return ProblemError(
        status,
        slug,
        f"{field}: {message}",
        errors=[FieldError(location=f"body.{field}", pointer=pointer, message=message, type=slug)],
    )
