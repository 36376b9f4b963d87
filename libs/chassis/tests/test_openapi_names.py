"""Schema names a client generator accepts: the kit's rule, and a service's document under it."""

import json
import re

import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, computed_field

from chassis.openapi import contract, rewrite_refs, schema_name, unique_names
from chassis.policy import allow, public

CLASS_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")


@pytest.mark.parametrize(
    ("fastapi_name", "expected"),
    [
        ("VendorOut", "VendorOut"),
        ("Access-Input", "AccessInput"),
        ("Access-Output", "AccessOutput"),
        ("Page_VendorOut_", "PageVendorOut"),
        ("catalogue_licensing__vendors__schemas__ContactOut", "VendorsContactOut"),
        ("training__schemas__Course", "Course"),
        ("kpi__feeds__Page_Event_", "FeedsPageEvent"),
        ("eventPage", "EventPage"),
        ("2fa_method", "Schema2faMethod"),
    ],
)
def test_schema_name(fastapi_name: str, expected: str) -> None:
    assert schema_name(fastapi_name) == expected


@given(st.lists(st.text(min_size=1, max_size=30), unique=True, max_size=20))
def test_unique_names_are_class_names_and_never_meet(names: list[str]) -> None:
    renamed = unique_names(names, schema_name, taken={"Problem"})
    assert set(renamed) == set(names)
    assert len(set(renamed.values())) == len(names)
    assert "Problem" not in renamed.values()
    assert all(CLASS_NAME.match(name) for name in renamed.values())
    # The same on every run, whatever order the names come in.
    assert unique_names(list(reversed(names)), schema_name, taken={"Problem"}) == renamed


def test_a_clean_name_keeps_it_where_a_mangled_one_would_take_it() -> None:
    assert unique_names(["Access-Input", "AccessInput"], schema_name) == {
        "AccessInput": "AccessInput",
        "Access-Input": "AccessInput2",
    }


def test_rewrite_refs_follows_the_new_names_and_leaves_others() -> None:
    union = {
        "oneOf": [{"$ref": "#/components/schemas/Old"}, {"$ref": "#/components/schemas/Kept"}],
        "discriminator": {
            "propertyName": "type",
            "mapping": {"old": "#/components/schemas/Old", "kept": "#/components/schemas/Kept"},
        },
    }
    node = {
        "a": {"$ref": "#/components/schemas/Old"},
        "b": [{"$ref": "#/components/parameters/Old"}, {"$ref": "other.json#/x"}],
        "c": union,
    }
    assert rewrite_refs(node, {("schemas", "Old"): "New"}) == {
        "a": {"$ref": "#/components/schemas/New"},
        "b": [{"$ref": "#/components/parameters/Old"}, {"$ref": "other.json#/x"}],
        "c": {
            "oneOf": [
                {"$ref": "#/components/schemas/New"},
                {"$ref": "#/components/schemas/Kept"},
            ],
            "discriminator": {
                "propertyName": "type",
                "mapping": {"old": "#/components/schemas/New", "kept": "#/components/schemas/Kept"},
            },
        },
    }
    assert node["a"] == {"$ref": "#/components/schemas/Old"}, "the original is left as it was"


class Access(BaseModel):
    """Serialised with a computed field, so FastAPI publishes an input and an output schema."""

    methods: list[str]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def method_count(self) -> int:
        return len(self.methods)


def test_a_service_document_has_generatable_names_and_refs_that_resolve() -> None:
    app = FastAPI(title="t", version="1")

    @app.put("/v1/access", operation_id="set_access")
    async def set_access(access: Access) -> Access:
        return access

    @app.get("/v1/access", operation_id="read_access")
    async def read_access() -> Access:
        return Access(methods=[])

    doc = contract(app, {"set_access": allow("operator", scope="none"), "read_access": public()})
    schemas = doc["components"]["schemas"]
    assert {"AccessInput", "AccessOutput", "Problem", "FieldError"} <= set(schemas)
    assert all(schema["title"] == name for name, schema in schemas.items())
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(doc)))
    assert refs <= set(schemas)
    put = doc["paths"]["/v1/access"]["put"]
    body = put["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/AccessInput"}
