"""Field problems that may be about a query parameter as well as a body field: the same type
(one class per problem type), located at `query.<name>` instead of `body.<name>`.
(The kit's FieldProblem only locates body fields: this belongs in the kit.)"""

from __future__ import annotations

from typing import Self

from chassis.problems import FieldError, FieldProblem


class QueryOrBodyProblem(FieldProblem):
    @classmethod
    def in_query(cls, name: str, message: str) -> Self:
        problem = cls(name, message, detail=f"query.{name}: {message}")
        problem.errors = [
            FieldError(location=f"query.{name}", pointer="", message=message, type=cls.slug)
        ]
        return problem
