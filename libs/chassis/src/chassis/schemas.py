"""Base classes for request and response bodies."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, GetJsonSchemaHandler, ValidationInfo, field_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(v) for v in value)
    return False


class InputModel(BaseModel):
    """A request body: unknown fields are refused (no mass assignment), whitespace trimmed, and
    no text anywhere in a field may hold a NUL character: PostgreSQL's text cannot store one
    (an error from the database, a 500), SQLite would, so the two would differ."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if _holds_nul(value):
            raise PydanticCustomError("nul_character", "may not contain a NUL character (U+0000)")
        return value


class PatchModel(InputModel):
    """A PATCH body: every field optional, and a field left out is left as it is.

    Fields are typed `X | None = None` so that "absent" has a value; a field *sent* as null is
    refused by the schema itself (422 validation-error, field error type `null_not_allowed`),
    one answer for every service. A field that may really be cleared is listed in `clearable`.
    """

    clearable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.clearable:
            raise PydanticCustomError("null_not_allowed", "may not be null")
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # The contract says what is accepted: null only for the clearable fields.
        schema = handler.resolve_ref_schema(handler(core_schema))
        for name, prop in schema.get("properties", {}).items():
            variants = prop.get("anyOf")
            if name in cls.clearable or not variants:
                continue
            kept = [v for v in variants if v != {"type": "null"}]
            del prop["anyOf"]
            # Leaving a field out leaves it as it is: there is no default to declare.
            if prop.get("default", ...) is None:
                del prop["default"]
            if len(kept) == 1:
                prop.update(kept[0])
            else:
                prop["anyOf"] = kept
        return schema

    def sent(self) -> dict[str, Any]:
        """The fields the client sent, each one whole, as JSON values.

        Not `exclude_unset`: that would also drop the defaults of nested objects (a contact's
        phone), storing them incomplete.
        """
        full = self.model_dump(mode="json")
        return {name: full[name] for name in self.model_fields_set}


class OutputModel(BaseModel):
    """A response body: built from ORM objects by attribute."""

    model_config = ConfigDict(from_attributes=True)
