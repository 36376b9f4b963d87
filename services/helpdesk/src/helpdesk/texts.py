"""Multilingual text shapes shared by the domains: {"nb": ..., "nl": ..., "en": ...}."""

from typing import Annotated, Literal

from pydantic import Field

from chassis import languages

Language = Literal["nb", "nn", "en", "nl", "fr", "de"]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=4000)]
Names = Annotated[
    dict[Language, ShortText],
    Field(min_length=1, description="By language; at least one", examples=[{"en": "Websites"}]),
]
Descriptions = Annotated[dict[Language, LongText], Field(description="By language; may be empty")]

# Languages the published texts are chosen in; English when the reader names none of them.
READABLE = ("nb", "nn", "en", "nl", "fr", "de")
DEFAULT = "en"
# Where a missing text is looked for next: the other written Norwegian, then English.
_FALLBACK = {"nb": ("nn",), "nn": ("nb",)}


def negotiate(header: str | None) -> str:
    """The readable language the Accept-Language header prefers most (chassis.languages);
    English without a header or when it names none of them."""
    return languages.negotiate(header, READABLE, default=DEFAULT, foreign=DEFAULT)


def pick(texts: dict[str, str], language: str) -> str:
    """The text in `language`, else its fallbacks, else English, else any there is."""
    for candidate in (language, *_FALLBACK.get(language, ()), DEFAULT, *sorted(texts)):
        if texts.get(candidate):
            return texts[candidate]
    return ""
