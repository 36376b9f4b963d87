"""Attachments' metadata as the API shows it (the content is its own download)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Base64Bytes, Field

from chassis.schemas import InputModel, OutputModel


class AttachmentIn(InputModel):
    """A file as JSON (the kit's edge takes JSON bodies only): its bytes in base64."""

    filename: str = Field(
        min_length=1, max_length=200, pattern=r"^[^/\\\x00-\x1f]+$", examples=["screenshot.png"]
    )
    media_type: str = Field(
        min_length=1, max_length=100, description="The declared type; the content must agree"
    )
    content: Base64Bytes = Field(description="The file's bytes, base64-encoded")
    internal: bool = Field(default=False, description="Agents only: hidden from staff")


class AttachmentOut(OutputModel):
    id: uuid.UUID
    ticket_id: uuid.UUID
    filename: str
    media_type: str
    size: int
    sha256: str
    visibility: Literal["public", "internal"]
    uploaded_by: str
    created_at: datetime
