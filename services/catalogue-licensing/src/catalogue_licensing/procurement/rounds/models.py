"""Tables of procurement rounds and of every move a round made."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from catalogue_licensing.db import Base
from chassis.concurrency import Versioned
from chassis.types import BigIntPK, UTCDateTime


class ProcurementRound(Versioned, Base):
    __tablename__ = "procurement_rounds"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    # RoundState
    state: Mapped[str] = mapped_column(String(20), index=True)
    # IANA zone whose wall clock the deadlines and dates are in.
    time_zone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    contract_start: Mapped[date] = mapped_column(Date)
    contract_end: Mapped[date] = mapped_column(Date)
    doffin_notice_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    doffin_published_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    ted_notice_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    ted_published_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    supplier_meeting_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Instants (UTC) of local wall-clock deadlines.
    declaration_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    offer_deadline: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    negotiation_start: Mapped[date] = mapped_column(Date)
    # Inclusive: the window closes when this local day has passed.
    negotiation_end: Mapped[date] = mapped_column(Date)
    award_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RoundMove(Base):
    """One move of a round between states: who, when; never changed once written."""

    __tablename__ = "procurement_round_moves"

    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("procurement_rounds.id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    moved_by: Mapped[str] = mapped_column(String(200))
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The round's version after the move.
    round_version: Mapped[int] = mapped_column(BigInteger)
