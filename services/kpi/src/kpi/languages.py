"""Multilingual text: a map from a language code (ISO 639-1 or -3) to the text in it."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]

Names = Annotated[
    dict[LanguageCode, ShortText],
    Field(
        min_length=1,
        max_length=20,
        description="The name per language (ISO 639 code): at least one",
        examples=[{"en": "Loans", "nb": "Utlån", "nl": "Uitleningen"}],
    ),
]
Descriptions = Annotated[
    dict[LanguageCode, Text],
    Field(max_length=20, description="The description per language (ISO 639 code)"),
]
