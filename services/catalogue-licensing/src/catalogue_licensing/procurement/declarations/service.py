"""Rules of self-declarations: a vendor answers a round's questionnaire per product, while the
round takes declarations; each answer checked against its question; complete or not."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.db import trail
from catalogue_licensing.procurement.declarations.answers import (
    still_valid,
    unanswered,
    wrong_answers,
)
from catalogue_licensing.procurement.declarations.errors import (
    DeclarationNotFound,
    DeclarationsClosed,
    InvalidAnswers,
)
from catalogue_licensing.procurement.declarations.events import DeclarationSubmitted
from catalogue_licensing.procurement.declarations.models import Declaration
from catalogue_licensing.procurement.declarations.schemas import DeclarationIn, DeclarationOut
from catalogue_licensing.procurement.questionnaire.schemas import Question
from catalogue_licensing.procurement.questionnaire.service import (
    find_questionnaire,
    questions_of,
)
from catalogue_licensing.procurement.rounds.calendar import zone_of
from catalogue_licensing.procurement.rounds.models import ProcurementRound
from catalogue_licensing.procurement.rounds.states import RoundState
from catalogue_licensing.products.models import Product
from catalogue_licensing.vendors.access import vendor_scope
from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.types import utcnow

TAKING_DECLARATIONS = frozenset({RoundState.announced, RoundState.open})


def declaration_view(declaration: Declaration, questions: list[Question]) -> DeclarationOut:
    missing = unanswered(questions, declaration.answers)
    invalid = still_valid(questions, declaration.answers)
    return DeclarationOut.model_validate(
        {
            **{
                n: getattr(declaration, n)
                for n in DeclarationOut.model_fields
                if hasattr(declaration, n)
            },
            "complete": not missing and not invalid,
            "unanswered": missing,
            "invalid": invalid,
        }
    )


async def round_questions(session: AsyncSession, *, round_id: uuid.UUID) -> list[Question]:
    return questions_of(await find_questionnaire(session, round_id=round_id))


async def find_declaration(
    session: AsyncSession, *, round_id: uuid.UUID, product_id: uuid.UUID
) -> Declaration | None:
    return await session.scalar(
        select(Declaration).where(
            Declaration.round_id == round_id, Declaration.product_id == product_id
        )
    )


async def get_declaration(
    session: AsyncSession, *, principal: Principal, round_id: uuid.UUID, product_id: uuid.UUID
) -> Declaration:
    """The declaration if the caller may see it: another vendor's is 404, as if absent."""
    declaration = await session.scalar(
        select(Declaration).where(
            Declaration.round_id == round_id,
            Declaration.product_id == product_id,
            vendor_scope(principal, Declaration.vendor_id),
        )
    )
    if declaration is None:
        raise DeclarationNotFound(f"No declaration for product {product_id} in round {round_id}")
    return declaration


async def list_declarations(
    session: AsyncSession,
    *,
    principal: Principal,
    round_id: uuid.UUID,
    product_id: uuid.UUID | None,
    after: uuid.UUID | None,
    limit: int,
) -> Sequence[Declaration]:
    query = (
        select(Declaration)
        .where(Declaration.round_id == round_id, vendor_scope(principal, Declaration.vendor_id))
        .order_by(Declaration.id)
        .limit(limit)
    )
    if product_id is not None:
        query = query.where(Declaration.product_id == product_id)
    if after is not None:
        query = query.where(Declaration.id > after)
    return (await session.scalars(query)).all()


async def is_complete(session: AsyncSession, *, round_id: uuid.UUID, product_id: uuid.UUID) -> bool:
    """Whether the product has a complete declaration in the round (what an offer needs)."""
    declaration = await find_declaration(session, round_id=round_id, product_id=product_id)
    if declaration is None:
        return False
    return declaration_view(declaration, await round_questions(session, round_id=round_id)).complete


def _check_window(round_: ProcurementRound, now: datetime) -> None:
    if RoundState(round_.state) not in TAKING_DECLARATIONS:
        raise DeclarationsClosed(
            "round_id", f"round {round_.id} is {round_.state}: it takes no declarations"
        )
    if now >= round_.declaration_deadline:
        shown = round_.declaration_deadline.astimezone(zone_of(round_.time_zone)).isoformat()
        raise DeclarationsClosed(
            "declaration_deadline", f"the self-declaration deadline {shown} has passed"
        )


async def put_declaration(
    session: AsyncSession,
    *,
    principal: Principal,
    round_: ProcurementRound,
    product: Product,
    existing: Declaration | None,
    body: DeclarationIn,
    request_id: str | None,
    now: datetime | None = None,
) -> Declaration:
    """Create or replace the product's declaration in the round: every wrong answer is refused
    at once (422, each named), nothing is stored; a declaration may be incomplete."""
    now = now or utcnow()
    _check_window(round_, now)
    questions = await round_questions(session, round_id=round_.id)
    errors = wrong_answers(questions, body.answers)
    if errors:
        raise InvalidAnswers(
            "; ".join(f"{e.location}: {e.message}" for e in errors[:5]), errors=errors
        )
    answers: dict[str, Any] = dict(body.answers)
    before = None if existing is None else {"answers": existing.answers}
    if existing is None:
        declaration = Declaration(
            id=uuid7(),
            round_id=round_.id,
            product_id=product.id,
            vendor_id=product.vendor_id,
            answers=answers,
            updated_by=principal.subject,
            created_at=now,
            updated_at=now,
        )
        session.add(declaration)
    else:
        declaration = existing
        if declaration.answers == answers:
            return declaration
        declaration.answers = answers
        declaration.updated_by = principal.subject
        declaration.updated_at = now
    await session.flush()
    view = declaration_view(declaration, questions)
    await trail.announce(
        session,
        DeclarationSubmitted(
            round_id=round_.id,
            product_id=product.id,
            vendor_id=product.vendor_id,
            complete=view.complete,
        ),
        principal=principal,
        change=Change(
            "declaration", str(declaration.id), before=before, after={"answers": answers}
        ),
        subject=str(declaration.id),
        request_id=request_id,
    )
    return declaration
