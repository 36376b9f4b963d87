"""Multilingual text shapes shared by the domains: {"nb": ..., "nl": ..., "en": ...}."""

from typing import Annotated, Literal

from pydantic import Field

Language = Literal["nb", "nn", "en", "nl", "fr", "de"]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=4000)]
Names = Annotated[
    dict[Language, ShortText],
    Field(min_length=1, description="By language; at least one", examples=[{"en": "Websites"}]),
]
Descriptions = Annotated[dict[Language, LongText], Field(description="By language; may be empty")]
