"""Every step of an offer's negotiation, who took it and when; never changed once written."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from catalogue_licensing.db import Base
from chassis.types import BigIntPK, UTCDateTime


class NegotiationStep(Base):
    __tablename__ = "procurement_negotiation_steps"

    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    offer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("procurement_offers.id", ondelete="CASCADE"), index=True
    )
    # StepKind
    kind: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    # A counter-proposal's content (the whole offer content proposed), sealed like a version.
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # The offer's content version once the step was taken.
    offer_version: Mapped[int] = mapped_column(Integer)
