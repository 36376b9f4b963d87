"""The demo vendors and their products, with the four answers in Bokmål, Nynorsk and English."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.demo.ids import (
    AVISARKIVET,
    DEMO_PRINCIPAL,
    FJORDAVIS_DIGITAL,
    KINOTEKET,
    KINOTEKET_STROM,
    LYDSALEN,
    NORDLYS_LYDBOK,
    NORDLYS_LYDBOKER,
    NORDLYS_SKOLE,
    ORDKILDE_LAERING,
    ORDKILDE_LEKSIKON,
    ORDKILDE_SPRAK,
)
from catalogue_licensing.products import service as products
from catalogue_licensing.products.models import Product
from catalogue_licensing.products.schemas import ProductIn
from catalogue_licensing.products.sushi import NO_SUSHI_CHECKS
from catalogue_licensing.vendors import service as vendors
from catalogue_licensing.vendors.models import Vendor
from catalogue_licensing.vendors.schemas import VendorIn

# Invented companies; the organisation numbers are made up but valid (mod-11).
DEMO_VENDORS: dict[uuid.UUID, dict[str, Any]] = {
    NORDLYS_LYDBOK: {
        "name": "Nordlys Lydbok AS",
        "org_number": "912847365",
        "contacts": [
            {
                "name": "Ingrid Solberg",
                "email": "ingrid.solberg@nordlys-lydbok.example",
                "phone": "+47 911 22 333",
                "role": "sales",
            },
            {
                "name": "Brukerstøtte",
                "email": "support@nordlys-lydbok.example",
                "phone": "+47 22 11 22 33",
                "role": "support",
            },
        ],
    },
    FJORDAVIS_DIGITAL: {
        "name": "Fjordavis Digital AS",
        "org_number": "920471587",
        "contacts": [
            {
                "name": "Eirik Haugland",
                "email": "eirik@fjordavis.example",
                "phone": "+47 555 12 345",
                "role": "sales",
            }
        ],
    },
    KINOTEKET_STROM: {
        "name": "Kinoteket Strøm AS",
        "org_number": "933166422",
        "contacts": [
            {"name": "Sara Lie", "email": "sara.lie@kinoteket.example", "role": "technical"}
        ],
    },
    ORDKILDE_LAERING: {
        "name": "Ordkilde Læring AS",
        "org_number": "991742050",
        "contacts": [
            {
                "name": "Jon Åsheim",
                "email": "jon@ordkilde.example",
                "phone": "+47 73 00 11 22",
                "role": "sales",
            }
        ],
    },
}


def _contact(name: str, email: str, phone: str, url: str) -> dict[str, Any]:
    return {
        "name": name,
        "email": email,
        "phone": phone,
        "opening_hours": {
            "nb": "Hverdager 08.00-16.00",
            "nn": "Kvardagar 08.00-16.00",
            "en": "Weekdays 08:00-16:00 (Norwegian time)",
        },
        "url": url,
    }


def _procurement(
    wcag_level: str | None,
    *,
    data_processing_agreement: bool = True,
    counter_release: str | None = None,
    authentication_standards: Sequence[str] = (),
) -> dict[str, Any]:
    # No demo product has a SUSHI endpoint: loading the demo must never resolve a host name.
    return {
        "wcag_level": wcag_level,
        "data_processing_agreement": data_processing_agreement,
        "counter_release": counter_release,
        "sushi_url": None,
        "authentication_standards": list(authentication_standards),
    }


# The two answers most demo products give without terms of their own.
HOME_USE_WITHOUT_TERMS = {"available": True, "terms": {}}
NOT_SHARED = {"allowed": False, "terms": {}}

LIBRARY_CARD_STEPS = {
    "nb": "Last ned appen, velg biblioteket ditt og logg inn med lånekortnummer og PIN-kode.",
    "nn": "Last ned appen, vel biblioteket ditt og logg inn med lånekortnummer og PIN-kode.",
    "en": "Download the app, choose your library and sign in with your library card number and PIN.",
}

DEMO_PRODUCTS: dict[uuid.UUID, tuple[uuid.UUID, str, dict[str, Any]]] = {
    NORDLYS_LYDBOKER: (
        NORDLYS_LYDBOK,
        "active",
        {
            "category": "ebooks_audiobooks",
            "audiences": ["residents", "pupils"],
            "content_languages": ["nb", "nn", "en", "se"],
            "name": {
                "nb": "Nordlys Lydbøker",
                "nn": "Nordlys Lydbøker",
                "en": "Nordlys Audiobooks",
            },
            "description": {
                "nb": "Lydbøker og e-bøker på norsk, samisk og engelsk for alle aldre.",
                "nn": "Lydbøker og e-bøker på norsk, samisk og engelsk for alle aldrar.",
                "en": "Audiobooks and e-books in Norwegian, Sámi and English for all ages.",
            },
            "access": {"methods": ["library_card"], "steps": LIBRARY_CARD_STEPS},
            "home_use": {
                "available": True,
                "terms": {
                    "nb": "Kan brukes hvor som helst, inntil fem lån om gangen.",
                    "nn": "Kan brukast kvar som helst, inntil fem lån om gongen.",
                    "en": "Usable anywhere, up to five loans at a time.",
                },
            },
            "sharing": {
                "allowed": True,
                "terms": {
                    "nb": "Deles mellom bibliotekene i deltakende fylker.",
                    "nn": "Delast mellom biblioteka i fylka som er med.",
                    "en": "Shared among the libraries of participating counties.",
                },
            },
            "contact": _contact(
                "Nordlys brukerstøtte",
                "support@nordlys-lydbok.example",
                "+47 22 11 22 33",
                "https://hjelp.nordlys-lydbok.example/",
            ),
            "procurement": _procurement(
                "AA", counter_release="5.1", authentication_standards=["saml2", "oidc"]
            ),
        },
    ),
    NORDLYS_SKOLE: (
        NORDLYS_LYDBOK,
        "draft",
        {
            "category": "ebooks_audiobooks",
            "audiences": ["pupils"],
            "content_languages": ["nb", "nn"],
            "name": {"nb": "Nordlys Skole", "nn": "Nordlys Skule", "en": "Nordlys School"},
            "description": {
                "nb": "Pensumlitteratur som lydbok for videregående skole.",
                "nn": "Pensumlitteratur som lydbok for vidaregåande skule.",
                "en": "Set texts as audiobooks for upper secondary schools.",
            },
            "access": {
                "methods": ["feide"],
                "steps": {
                    "nb": "Logg inn med Feide fra skolens læringsplattform.",
                    "nn": "Logg inn med Feide frå læringsplattforma til skulen.",
                    "en": "Sign in with Feide from the school's learning platform.",
                },
            },
            "home_use": HOME_USE_WITHOUT_TERMS,
            "sharing": NOT_SHARED,
            "contact": _contact(
                "Nordlys skolestøtte",
                "skole@nordlys-lydbok.example",
                "+47 22 11 22 34",
                "https://hjelp.nordlys-lydbok.example/skole",
            ),
            "procurement": _procurement(
                "AA", counter_release="5.1", authentication_standards=["saml2"]
            ),
        },
    ),
    AVISARKIVET: (
        FJORDAVIS_DIGITAL,
        "active",
        {
            "category": "newspapers_magazines",
            "audiences": ["residents", "pupils"],
            "content_languages": ["nb", "nn", "en"],
            "name": {"nb": "Avisarkivet", "nn": "Avisarkivet", "en": "The Newspaper Archive"},
            "description": {
                "nb": "Dagens aviser og tidsskrifter, og arkivet tilbake til 1990.",
                "nn": "Dagens aviser og tidsskrift, og arkivet attende til 1990.",
                "en": "Today's newspapers and magazines, and the archive back to 1990.",
            },
            "access": {
                "methods": ["ip_range", "library_card"],
                "steps": {
                    "nb": "På biblioteket: åpne avisarkivet direkte. Hjemme: logg inn med lånekortet.",
                    "nn": "På biblioteket: opne avisarkivet direkte. Heime: logg inn med lånekortet.",
                    "en": "At the library: open the archive directly. At home: sign in with your library card.",
                },
            },
            "home_use": {
                "available": True,
                "terms": {
                    "nb": "Hjemmebruk med lånekort; arkivet bare på biblioteket.",
                    "nn": "Heimebruk med lånekort; arkivet berre på biblioteket.",
                    "en": "Home use with a library card; the archive only at the library.",
                },
            },
            "sharing": NOT_SHARED,
            "contact": _contact(
                "Fjordavis kundeservice",
                "kundeservice@fjordavis.example",
                "+47 555 12 300",
                "https://fjordavis.example/hjelp",
            ),
            "procurement": _procurement(
                "AA", counter_release="5", authentication_standards=["ip", "ezproxy"]
            ),
        },
    ),
    KINOTEKET: (
        KINOTEKET_STROM,
        "active",
        {
            "category": "film",
            "audiences": ["residents"],
            "content_languages": ["nb", "en", "sv", "da"],
            "name": {"nb": "Kinoteket", "nn": "Kinoteket", "en": "Kinoteket Film"},
            "description": {
                "nb": "Nordiske spillefilmer og dokumentarer til strømming.",
                "nn": "Nordiske spelefilmar og dokumentarar til strøyming.",
                "en": "Nordic feature films and documentaries to stream.",
            },
            "access": {
                "methods": ["library_card", "bankid"],
                "steps": {
                    "nb": "Registrer deg med lånekort, bekreft med BankID, og strøm fire filmer i måneden.",
                    "nn": "Registrer deg med lånekort, stadfest med BankID, og strøym fire filmar i månaden.",
                    "en": "Register with your library card, confirm with BankID, and stream four films a month.",
                },
            },
            "home_use": HOME_USE_WITHOUT_TERMS,
            "sharing": NOT_SHARED,
            "contact": _contact(
                "Kinoteket hjelp",
                "hjelp@kinoteket.example",
                "+47 21 00 40 40",
                "https://kinoteket.example/hjelp",
            ),
            "procurement": _procurement("A", authentication_standards=["oidc"]),
        },
    ),
    LYDSALEN: (
        KINOTEKET_STROM,
        "draft",
        {
            "category": "music",
            "audiences": ["residents"],
            "content_languages": ["nb", "en"],
            "name": {"nb": "Lydsalen", "nn": "Lydsalen", "en": "Lydsalen Music"},
            "description": {
                "nb": "Konsertopptak og norsk musikk til strømming.",
                "nn": "Konsertopptak og norsk musikk til strøyming.",
                "en": "Concert recordings and Norwegian music to stream.",
            },
            "access": {"methods": ["library_card"], "steps": LIBRARY_CARD_STEPS},
            "home_use": HOME_USE_WITHOUT_TERMS,
            "sharing": NOT_SHARED,
            "contact": _contact(
                "Kinoteket hjelp",
                "hjelp@kinoteket.example",
                "+47 21 00 40 40",
                "https://kinoteket.example/lydsalen",
            ),
            "procurement": _procurement(None, data_processing_agreement=False),
        },
    ),
    ORDKILDE_SPRAK: (
        ORDKILDE_LAERING,
        "active",
        {
            "category": "language_learning",
            "audiences": ["residents", "pupils"],
            "content_languages": ["nb", "en", "ar", "uk", "so", "pl"],
            "name": {"nb": "Ordkilde Språk", "nn": "Ordkilde Språk", "en": "Ordkilde Languages"},
            "description": {
                "nb": "Norskkurs for nybegynnere og kurs i over tretti andre språk.",
                "nn": "Norskkurs for nybyrjarar og kurs i over tretti andre språk.",
                "en": "Norwegian for beginners, and courses in more than thirty other languages.",
            },
            "access": {
                "methods": ["library_card", "feide"],
                "steps": {
                    "nb": "Logg inn med lånekortet, eller med Feide på skolen.",
                    "nn": "Logg inn med lånekortet, eller med Feide på skulen.",
                    "en": "Sign in with your library card, or with Feide at school.",
                },
            },
            "home_use": HOME_USE_WITHOUT_TERMS,
            "sharing": {
                "allowed": True,
                "terms": {
                    "nb": "Kan deles med skolebibliotek i samme fylke.",
                    "nn": "Kan delast med skulebibliotek i same fylke.",
                    "en": "May be shared with school libraries in the same county.",
                },
            },
            "contact": _contact(
                "Ordkilde support",
                "support@ordkilde.example",
                "+47 73 00 11 00",
                "https://ordkilde.example/support",
            ),
            "procurement": _procurement(
                "AA", counter_release="5.1", authentication_standards=["saml2", "oidc"]
            ),
        },
    ),
    ORDKILDE_LEKSIKON: (
        ORDKILDE_LAERING,
        "active",
        {
            "category": "reference_databases",
            "audiences": ["residents", "pupils"],
            "content_languages": ["nb", "nn"],
            "name": {
                "nb": "Ordkilde Leksikon",
                "nn": "Ordkilde Leksikon",
                "en": "Ordkilde Encyclopaedia",
            },
            "description": {
                "nb": "Oppslagsverk med kildehenvisninger, skrevet for skole og bibliotek.",
                "nn": "Oppslagsverk med kjeldetilvisingar, skrive for skule og bibliotek.",
                "en": "A referenced encyclopaedia written for schools and libraries.",
            },
            "access": {
                "methods": ["ip_range", "feide"],
                "steps": {
                    "nb": "Åpent på bibliotekets nett; på skolen logger du inn med Feide.",
                    "nn": "Ope på nettet til biblioteket; på skulen loggar du inn med Feide.",
                    "en": "Open on the library's network; at school, sign in with Feide.",
                },
            },
            "home_use": {
                "available": False,
                "terms": {
                    "nb": "Bare på biblioteket og på skolen.",
                    "nn": "Berre på biblioteket og på skulen.",
                    "en": "Only at the library and at school.",
                },
            },
            "sharing": NOT_SHARED,
            "contact": _contact(
                "Ordkilde support",
                "support@ordkilde.example",
                "+47 73 00 11 00",
                "https://ordkilde.example/leksikon",
            ),
            "procurement": _procurement(
                "AAA", counter_release="5.1", authentication_standards=["ip", "saml2"]
            ),
        },
    ),
}


async def _missing(
    session: AsyncSession, model: type[Vendor] | type[Product], ids: Any
) -> set[Any]:
    have = set(await session.scalars(select(model.id).where(model.id.in_(ids))))
    return set(ids) - have


async def load_demo_vendors_and_products(session: AsyncSession) -> dict[str, int]:
    """Create the demo vendors and products that are missing; existing ones are left alone."""
    missing_vendors = await _missing(session, Vendor, DEMO_VENDORS)
    for vendor_id, fields in DEMO_VENDORS.items():
        if vendor_id in missing_vendors:
            await vendors.create_vendor(
                session,
                principal=DEMO_PRINCIPAL,
                body=VendorIn.model_validate(fields),
                request_id=None,
                vendor_id=vendor_id,
            )
    missing_products = await _missing(session, Product, DEMO_PRODUCTS)
    # No demo product has a SUSHI URL: loading makes no lookups (NO_SUSHI_CHECKS would refuse one).
    for product_id, (vendor_id, status, fields) in DEMO_PRODUCTS.items():
        if product_id not in missing_products:
            continue
        product = await products.create_product(
            session,
            principal=DEMO_PRINCIPAL,
            body=ProductIn.model_validate(fields | {"vendor_id": vendor_id}),
            sushi=NO_SUSHI_CHECKS,
            request_id=None,
            product_id=product_id,
        )
        if status == "active":
            await products.move_status(
                session, principal=DEMO_PRINCIPAL, product=product, to="active", request_id=None
            )
    return {"vendors": len(missing_vendors), "products": len(missing_products)}
