"""HTTP route of a round's OCDS export."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from catalogue_licensing.procurement.ocds import service
from catalogue_licensing.procurement.ocds.build import releases
from catalogue_licensing.procurement.ocds.schemas import ReleasePackageOut
from catalogue_licensing.procurement.rounds.deps import RoundDep
from catalogue_licensing.settings import CatalogueSettings
from chassis.problems import problem_responses
from chassis.runtime import get_runtime
from chassis.sessions import SessionDep
from chassis.types import utcnow

router = APIRouter(tags=["procurement"])


@router.get(
    "/v1/procurement-rounds/{round_id}/ocds",
    summary="The round as an OCDS 1.1 release package (planning, tender, awards, contracts)",
    response_model=ReleasePackageOut,
    responses=problem_responses(404, 422),
)
async def get_round_ocds(request: Request, round_: RoundDep, session: SessionDep) -> JSONResponse:
    settings = get_runtime(request).settings
    assert isinstance(settings, CatalogueSettings)
    facts = await service.round_facts(session, round_=round_, settings=settings)
    # Published through the gateway: its URL is the tokens' issuer, this service under its name.
    public = f"{settings.auth.issuer.rstrip('/')}/{settings.service_name}{request.url.path}"
    package = ReleasePackageOut(
        uri=public,
        version="1.1",
        publishedDate=utcnow(),
        publisher={"name": settings.procurement_buyer_name},
        releases=releases(facts),
    )
    return JSONResponse(
        package.model_dump(mode="json", exclude_none=True),
        headers={"Cache-Control": "private, no-cache"},
    )
