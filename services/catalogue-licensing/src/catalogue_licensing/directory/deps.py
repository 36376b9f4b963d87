"""Load-or-404 dependencies of the directory's routes, the caller's scope applied in the query."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from fastapi import Path as PathParam

from catalogue_licensing.directory import libraries, service
from catalogue_licensing.directory.isil import ISIL_PATTERN
from catalogue_licensing.directory.models import County, Library, Municipality
from catalogue_licensing.directory.schemas import CountryCode
from chassis.area_codes import any_form
from chassis.policy import PrincipalDep
from chassis.sessions import SessionDep, TransactionDep

CountyNumber = Annotated[
    str,
    PathParam(
        pattern=any_form("county"),
        description="The county's number (NIS code, CBS code)",
        examples=["03"],
    ),
]
MunicipalityNumber = Annotated[
    str,
    PathParam(
        pattern=any_form("municipality"),
        description="The municipality's number (NIS code, CBS code)",
        examples=["0301"],
    ),
]
IsilPath = Annotated[
    str,
    PathParam(
        max_length=16, pattern=ISIL_PATTERN, description="ISIL (ISO 15511)", examples=["NO-2030000"]
    ),
]
CountryQuery = Annotated[
    CountryCode | None,
    Query(
        description="The country (ISO 3166-1 alpha-2) whose number this is; Norway when not given"
    ),
]


async def _county(
    number: CountyNumber, session: SessionDep, country: CountryQuery = None
) -> County:
    await service.require_country(session, country)
    country = country or "NO"
    service.require_code(country, "county", number, location="path.number")
    return await service.get_county(session, country=country, number=number)


async def _municipality(
    number: MunicipalityNumber, session: SessionDep, country: CountryQuery = None
) -> Municipality:
    await service.require_country(session, country)
    country = country or "NO"
    service.require_code(country, "municipality", number, location="path.number")
    return await service.get_municipality(session, country=country, number=number)


async def _library(isil: IsilPath, session: SessionDep) -> Library:
    return await service.get_library(session, isil=isil)


async def _managed_library(
    isil: IsilPath, tx: TransactionDep, principal: PrincipalDep
) -> libraries.LibraryRecord:
    return await libraries.library_for_change(tx, principal=principal, isil=isil)


CountyDep = Annotated[County, Depends(_county)]
MunicipalityDep = Annotated[Municipality, Depends(_municipality)]
LibraryDep = Annotated[Library, Depends(_library)]
# The library the caller may change, read on the driver (for routes on TransactionDep): another
# county's is 404 to a county administrator.
ManagedLibraryDep = Annotated[libraries.LibraryRecord, Depends(_managed_library)]
