"""Dependencies of participation's routes: the county a change names (if the caller may change
it) and its participation in the agreement, loaded in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from fastapi import Path as PathParam

from catalogue_licensing.agreements.deps import AgreementDep, AgreementForChangeDep
from catalogue_licensing.agreements.models import Agreement, Participation
from catalogue_licensing.agreements.participation import service
from catalogue_licensing.agreements.participation.access import require_own_county
from catalogue_licensing.agreements.participation.errors import ParticipationNotFound
from catalogue_licensing.agreements.schemas import CountyNumber
from catalogue_licensing.directory.models import County
from catalogue_licensing.directory.service import county_by_number
from chassis.policy import PrincipalDep
from chassis.sessions import SessionDep

CountyPath = Annotated[CountyNumber, PathParam(description="The county's number, e.g. 03")]


@dataclass(frozen=True)
class CountyParticipation:
    """A county's place in an agreement: `existing` is None while it does not take part."""

    agreement: Agreement
    county: County
    existing: Participation | None


async def _county_participation(
    agreement: AgreementForChangeDep,
    county_number: CountyPath,
    session: SessionDep,
    principal: PrincipalDep,
) -> CountyParticipation:
    require_own_county(principal, county_number)
    county = await county_by_number(session, county_number)
    existing = await service.load_participation(session, agreement_id=agreement.id, county=county)
    return CountyParticipation(agreement=agreement, county=county, existing=existing)


CountyParticipationDep = Annotated[CountyParticipation, Depends(_county_participation)]


@dataclass(frozen=True)
class ExistingParticipation:
    agreement: Agreement
    county: County
    participation: Participation


async def _participation(
    agreement: AgreementDep, county_number: CountyPath, session: SessionDep
) -> ExistingParticipation:
    # Which counties take part is not secret (the list says it too): no county scope here.
    county = await county_by_number(session, county_number)
    existing = await service.load_participation(session, agreement_id=agreement.id, county=county)
    if existing is None:
        raise ParticipationNotFound(
            f"County {county.number} does not take part in agreement {agreement.id}"
        )
    return ExistingParticipation(agreement=agreement, county=county, participation=existing)


# A county's participation that exists (404 otherwise), for reading.
ParticipationDep = Annotated[ExistingParticipation, Depends(_participation)]
