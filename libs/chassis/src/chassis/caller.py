"""GET /v1/me: the caller as this service sees its token, so an integrator can check a client's set-up."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from chassis.auth import ROLES
from chassis.policy import PrincipalDep, Rule, allow
from chassis.problems import problem_responses
from chassis.schemas import OutputModel

# Every role may ask who it is; the answer is only ever the caller's own token.
CALLER_RULE: Rule = allow(*sorted(ROLES), scope="the caller itself")


class Caller(OutputModel):
    subject: str = Field(description="The token's `sub`: the API client or user")
    roles: list[str] = Field(description="Roles granted by the token, sorted")
    county: str | None = Field(description="County number the roles are limited to, if any")
    vendor_id: str | None = Field(description="Vendor the roles are limited to, if any")
    isil: str | None = Field(description="Library (ISIL) the roles are limited to, if any")
    client_id: str | None = Field(description="The registered API client that obtained the token")


def caller_router() -> APIRouter:
    router = APIRouter(tags=["caller"])

    @router.get(
        "/v1/me",
        summary="Who the service takes the caller to be",
        response_model=Caller,
        responses=problem_responses(400, 401, 403),
    )
    async def read_caller(principal: PrincipalDep) -> Caller:
        return Caller(
            subject=principal.subject,
            roles=sorted(principal.roles),
            county=principal.county,
            vendor_id=principal.vendor_id,
            isil=principal.isil,
            client_id=principal.client_id,
        )

    return router
