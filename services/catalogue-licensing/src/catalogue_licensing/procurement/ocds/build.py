"""The OCDS 1.1 releases of a round, one per milestone the round has reached: planning (always),
tender (once announced), award and contract (once offers are awarded). Before the offer deadline
nothing is said of offers; after it, who tendered; prices only of awards, which are public."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from catalogue_licensing.agreements.currencies import MINOR_UNIT_DIGITS
from catalogue_licensing.agreements.models import Agreement
from catalogue_licensing.procurement.offers.models import Offer
from catalogue_licensing.procurement.rounds.calendar import zone_of
from catalogue_licensing.procurement.rounds.models import ProcurementRound, RoundMove
from catalogue_licensing.procurement.rounds.states import UNSEALED, RoundState
from catalogue_licensing.products.models import Product
from catalogue_licensing.vendors.models import Vendor

BUYER_ID = "programme"
# Where notices are read: a Doffin notice by its id; TED's search by its publication number.
DOFFIN_NOTICE_URL = "https://www.doffin.no/notices/{id}"
TED_SEARCH_URL = "https://ted.europa.eu/en/search/result?query={id}"

_TENDER_STATUS = {
    RoundState.draft: "planning",
    RoundState.announced: "active",
    RoundState.open: "active",
    RoundState.closed: "active",
    RoundState.negotiation: "active",
    RoundState.awarded: "complete",
    RoundState.concluded: "complete",
    RoundState.cancelled: "cancelled",
}


@dataclass(frozen=True)
class RoundFacts:
    """What the export reads: the round, its moves, offers (with vendors and products), and
    the agreements its awards became."""

    round_: ProcurementRound
    moves: list[RoundMove]
    offers: list[tuple[Offer, Vendor, Product]]
    agreements: dict[Any, Agreement]
    buyer_name: str
    ocid_prefix: str


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _day(day: date, zone: ZoneInfo) -> str:
    return datetime.combine(day, time(0), tzinfo=zone).isoformat()


def _day_end(day: date, zone: ZoneInfo) -> str:
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone).isoformat()


def _value(minor: int, currency: str) -> dict[str, Any]:
    digits = MINOR_UNIT_DIGITS.get(currency, 2)
    amount = Decimal(minor).scaleb(-digits)
    return {"amount": float(amount), "currency": currency}


def _moved_at(facts: RoundFacts, state: RoundState) -> datetime | None:
    return next((m.moved_at for m in facts.moves if m.to_state == state.value), None)


def _documents(round_: ProcurementRound, zone: ZoneInfo) -> list[dict[str, Any]]:
    documents = []
    if round_.doffin_notice_id:
        doc: dict[str, Any] = {
            "id": f"doffin-{round_.doffin_notice_id}",
            "documentType": "tenderNotice",
            "title": f"Doffin notice {round_.doffin_notice_id}",
            "url": DOFFIN_NOTICE_URL.format(id=round_.doffin_notice_id),
        }
        if round_.doffin_published_on:
            doc["datePublished"] = _day(round_.doffin_published_on, zone)
        documents.append(doc)
    if round_.ted_notice_id:
        doc = {
            "id": f"ted-{round_.ted_notice_id}",
            "documentType": "tenderNotice",
            "title": f"TED notice {round_.ted_notice_id}",
            "url": TED_SEARCH_URL.format(id=round_.ted_notice_id.replace(" ", "+")),
        }
        if round_.ted_published_on:
            doc["datePublished"] = _day(round_.ted_published_on, zone)
        documents.append(doc)
    return documents


def _party(vendor: Vendor) -> dict[str, Any]:
    return {"id": str(vendor.id), "name": vendor.name}


def _parties(facts: RoundFacts, *, tenderers: bool) -> list[dict[str, Any]]:
    parties: list[dict[str, Any]] = [
        {"id": BUYER_ID, "name": facts.buyer_name, "roles": ["buyer", "procuringEntity"]}
    ]
    if not tenderers:
        return parties
    seen: dict[Any, dict[str, Any]] = {}
    for offer, vendor, _ in facts.offers:
        party = seen.setdefault(
            vendor.id,
            _party(vendor)
            | {
                "identifier": {
                    "scheme": "NO-BRC",
                    "id": vendor.org_number,
                    "legalName": vendor.name,
                },
                "roles": ["tenderer"],
            },
        )
        if offer.agreement_id is not None and "supplier" not in party["roles"]:
            party["roles"].append("supplier")
    return parties + list(seen.values())


def _tender(facts: RoundFacts, zone: ZoneInfo, *, tenderers: bool) -> dict[str, Any]:
    round_ = facts.round_
    state = RoundState(round_.state)
    opened = _moved_at(facts, RoundState.open) or _moved_at(facts, RoundState.announced)
    tender: dict[str, Any] = {
        "id": str(round_.id),
        "title": round_.title,
        "status": _TENDER_STATUS[state],
        "procuringEntity": {"id": BUYER_ID, "name": facts.buyer_name},
        "procurementMethod": "open",
        "mainProcurementCategory": "services",
        "tenderPeriod": {"endDate": _iso(round_.offer_deadline.astimezone(zone))},
        "awardPeriod": {"startDate": _day(round_.award_on, zone)},
        "contractPeriod": {
            "startDate": _day(round_.contract_start, zone),
            "endDate": _day_end(round_.contract_end, zone),
        },
        "milestones": [
            {
                "id": "self-declaration-deadline",
                "title": "Self-declaration deadline",
                "type": "assessment",
                "dueDate": _iso(round_.declaration_deadline.astimezone(zone)),
            },
            {
                "id": "negotiation",
                "title": "Negotiation",
                "type": "engagement",
                "dueDate": _day_end(round_.negotiation_end, zone),
            },
        ],
        "documents": _documents(round_, zone),
    }
    if opened is not None:
        tender["tenderPeriod"]["startDate"] = _iso(opened.astimezone(zone))
    if round_.supplier_meeting_on:
        tender["milestones"].insert(
            0,
            {
                "id": "supplier-meeting",
                "title": "Supplier meeting",
                "type": "engagement",
                "dueDate": _day(round_.supplier_meeting_on, zone),
            },
        )
    if tenderers:
        vendors = {v.id: v for _, v, _ in facts.offers}
        tender["numberOfTenderers"] = len(vendors)
        tender["tenderers"] = [_party(v) for v in vendors.values()]
    return tender


def _release(
    facts: RoundFacts, name: str, when: datetime, tag: str, **parts: Any
) -> dict[str, Any]:
    ocid = f"{facts.ocid_prefix}-{facts.round_.id}"
    return {
        "ocid": ocid,
        "id": f"{ocid}-{name}",
        "date": _iso(when),
        "tag": [tag],
        "initiationType": "tender",
        "language": "nb",
        **parts,
    }


def _awards(facts: RoundFacts, zone: ZoneInfo) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    awards, contracts = [], []
    for offer, vendor, product in facts.offers:
        agreement = facts.agreements.get(offer.agreement_id)
        if agreement is None:
            continue
        value = _value(agreement.yearly_price_minor, agreement.currency)
        period = {
            "startDate": _day(agreement.period_start, zone),
            "endDate": _day_end(agreement.period_end, zone),
        }
        title = product.name.get("nb") or next(iter(product.name.values()), str(product.id))
        awards.append(
            {
                "id": str(offer.id),
                "title": title,
                "status": "active",
                "date": _iso(agreement.created_at),
                "value": value,
                "suppliers": [_party(vendor)],
                "contractPeriod": period,
            }
        )
        contracts.append(
            {
                "id": str(agreement.id),
                "awardID": str(offer.id),
                "title": title,
                "status": "active",
                "period": period,
                "value": value,
                "dateSigned": _iso(agreement.created_at),
            }
        )
    return awards, contracts


def releases(facts: RoundFacts) -> list[dict[str, Any]]:
    round_ = facts.round_
    zone = zone_of(round_.time_zone)
    state = RoundState(round_.state)
    tenderers = state in UNSEALED
    out = [
        _release(
            facts,
            "planning",
            round_.created_at,
            "planning",
            parties=_parties(facts, tenderers=False),
            buyer={"id": BUYER_ID, "name": facts.buyer_name},
            planning={"rationale": round_.title},
            tender={"id": str(round_.id), "title": round_.title, "status": "planning"},
        )
    ]
    announced = _moved_at(facts, RoundState.announced)
    if announced is None:
        return out
    tag = "tenderCancellation" if state is RoundState.cancelled else "tender"
    latest = max(m.moved_at for m in facts.moves)
    out.append(
        _release(
            facts,
            f"tender-{state.value}",
            latest,
            tag,
            parties=_parties(facts, tenderers=tenderers),
            buyer={"id": BUYER_ID, "name": facts.buyer_name},
            tender=_tender(facts, zone, tenderers=tenderers),
        )
    )
    awards, contracts = _awards(facts, zone)
    if awards:
        when = max(a.created_at for a in facts.agreements.values())
        out.append(
            _release(
                facts,
                "awards",
                when,
                "award",
                parties=_parties(facts, tenderers=True),
                awards=awards,
            )
        )
        out.append(
            _release(
                facts,
                "contracts",
                when,
                "contract",
                parties=_parties(facts, tenderers=True),
                awards=awards,
                contracts=contracts,
            )
        )
    return out
