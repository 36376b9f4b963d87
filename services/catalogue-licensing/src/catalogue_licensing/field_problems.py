"""Problems that name the request field at fault, the way validation errors do, for rules checked
below the schema (unknown references, duplicates, scope)."""

from __future__ import annotations

from chassis.problems import FieldError, ProblemError


def field_problem(
    status: int,
    slug: str,
    *,
    field: str,
    message: str,
    kind: str | None = None,
    detail: str | None = None,
    title: str | None = None,
) -> ProblemError:
    """A problem about one body field: `field` is a dotted path ("procurement.sushi_url");
    `kind` is the field error's type when it differs from the problem's slug."""
    parts = field.split(".")
    pointer = "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)
    return ProblemError(
        status,
        slug,
        detail or f"{field}: {message}",
        title=title,
        errors=[
            FieldError(
                location=f"body.{field}", pointer=pointer, message=message, type=kind or slug
            )
        ],
    )
