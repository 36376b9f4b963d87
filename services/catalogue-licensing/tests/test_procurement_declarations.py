"""The questionnaire and the self-declarations against it: every question type, a precise 4xx
per wrong answer naming its question, complete or not, frozen once the round opens, and a
vendor that never sees another's declaration."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from procurement_factories import ANSWERS, QUESTIONS, open_round, shift_round

from catalogue_factories import committed, create_product, create_vendor, events_of, row_count
from catalogue_licensing.procurement.declarations.models import Declaration


@pytest.fixture
def admin(issuer):
    return issuer.headers("programme_admin")


@pytest.fixture
async def world(catalogue, issuer):
    _, app = catalogue
    async with committed(app) as session:
        vendor = await create_vendor(session)
        other = await create_vendor(session)
        product = await create_product(session, vendor, status="active")
        theirs = await create_product(session, other, status="active")
    return {
        "vendor": issuer.headers("vendor", vendor_id=str(vendor.id)),
        "other": issuer.headers("vendor", vendor_id=str(other.id)),
        "product": product,
        "theirs": theirs,
    }


def _url(round_, product):
    return f"/v1/procurement-rounds/{round_['id']}/declarations/{product.id}"


async def test_a_complete_declaration_is_stored_read_and_announced(catalogue, admin, world):
    client, app = catalogue
    round_ = await open_round(client, admin, state="announced")
    url = _url(round_, world["product"])
    put = await client.put(url, json={"answers": ANSWERS}, headers=world["vendor"])
    assert put.status_code == 201, put.text
    body = put.json()
    assert (body["complete"], body["unanswered"], body["invalid"]) == (True, [], [])
    assert put.headers["ETag"] == '"1"'
    read = await client.get(url, headers=admin)
    assert read.json() == body
    [event] = await events_of(app, "declaration.submitted")
    assert event["complete"] is True
    listed = await client.get(
        f"/v1/procurement-rounds/{round_['id']}/declarations", headers=world["vendor"]
    )
    assert [d["product_id"] for d in listed.json()["items"]] == [str(world["product"].id)]


async def test_an_incomplete_declaration_names_the_unanswered_questions(catalogue, admin, world):
    client, _ = catalogue
    round_ = await open_round(client, admin)
    answers = {"dpa_signed": False, "summary": ""}
    put = await client.put(
        _url(round_, world["product"]), json={"answers": answers}, headers=world["vendor"]
    )
    assert put.status_code == 201
    assert put.json()["complete"] is False
    assert put.json()["unanswered"] == ["wcag_level", "summary", "simultaneous_users"]


@pytest.mark.parametrize(
    ("question", "answer", "kind"),
    [
        ("dpa_signed", "yes", "answer_type"),
        ("dpa_signed", 1, "answer_type"),
        ("wcag_level", "aaaa", "answer_not_an_option"),
        ("wcag_level", ["aa"], "answer_type"),
        ("auth", ["saml2", "kerberos"], "answer_not_an_option"),
        ("auth", ["saml2", "saml2"], "answer_repeated_option"),
        ("auth", "saml2", "answer_type"),
        ("summary", "x" * 21, "answer_too_long"),
        ("summary", 12, "answer_type"),
        ("simultaneous_users", 0, "answer_below_minimum"),
        ("simultaneous_users", 100001, "answer_above_maximum"),
        ("simultaneous_users", 2.5, "answer_not_integer"),
        ("simultaneous_users", True, "answer_type"),
        ("simultaneous_users", "50", "answer_type"),
        ("available_from", "2025-12-31", "answer_too_early"),
        ("available_from", "2026-02-30", "answer_type"),
        ("available_from", "next week", "answer_type"),
        ("no_such_question", True, "unknown_question"),
    ],
)
async def test_each_wrong_answer_is_a_422_naming_its_question(
    catalogue, admin, world, question, answer, kind
):
    client, app = catalogue
    round_ = await open_round(client, admin, state="announced")
    put = await client.put(
        _url(round_, world["product"]),
        json={"answers": ANSWERS | {question: answer}},
        headers=world["vendor"],
    )
    assert put.status_code == 422, put.text
    problem = put.json()
    assert problem["type"].endswith("invalid-answers")
    [error] = problem["errors"]
    assert (error["location"], error["type"]) == (f"body.answers.{question}", kind)
    assert error["pointer"] == f"/answers/{question}"
    assert await row_count(app, Declaration) == 0


async def test_several_wrong_answers_are_named_together(catalogue, admin, world):
    client, _ = catalogue
    round_ = await open_round(client, admin)
    put = await client.put(
        _url(round_, world["product"]),
        json={"answers": {"dpa_signed": "no", "wcag_level": "b"}},
        headers=world["vendor"],
    )
    assert put.status_code == 422
    assert {e["location"] for e in put.json()["errors"]} == {
        "body.answers.dpa_signed",
        "body.answers.wcag_level",
    }


async def test_replacing_needs_if_match_and_another_vendor_sees_nothing(catalogue, admin, world):
    client, _ = catalogue
    round_ = await open_round(client, admin)
    url = _url(round_, world["product"])
    first = await client.put(url, json={"answers": ANSWERS}, headers=world["vendor"])
    again = await client.put(url, json={"answers": ANSWERS}, headers=world["vendor"])
    assert again.status_code == 428
    stale = await client.put(
        url, json={"answers": {}}, headers=world["vendor"] | {"If-Match": '"7"'}
    )
    assert stale.status_code == 412
    changed = await client.put(
        url,
        json={"answers": ANSWERS | {"summary": "Nytt"}},
        headers=world["vendor"] | {"If-Match": first.headers["ETag"]},
    )
    assert changed.status_code == 200
    assert changed.headers["ETag"] == '"2"'
    assert (await client.get(url, headers=world["other"])).status_code == 404
    listed = await client.get(
        f"/v1/procurement-rounds/{round_['id']}/declarations", headers=world["other"]
    )
    assert listed.json()["items"] == []
    # Nor may it declare for a product that is not its own.
    theirs = await client.put(url, json={"answers": ANSWERS}, headers=world["other"])
    assert theirs.status_code == 404


async def test_the_questionnaire_is_frozen_once_the_round_opens(catalogue, admin):
    client, _ = catalogue
    round_ = await open_round(client, admin)
    url = f"/v1/procurement-rounds/{round_['id']}/questionnaire"
    read = await client.get(url, headers=admin)
    assert read.status_code == 200
    assert [q["id"] for q in read.json()["questions"]] == [q["id"] for q in QUESTIONS]
    refused = await client.put(
        url, json={"questions": QUESTIONS[:1]}, headers=admin | {"If-Match": read.headers["ETag"]}
    )
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("questionnaire-frozen")


async def test_a_questionnaire_change_before_opening_is_seen_by_declarations(
    catalogue, admin, world
):
    client, _ = catalogue
    round_ = await open_round(client, admin, state="announced")
    url = _url(round_, world["product"])
    await client.put(url, json={"answers": ANSWERS}, headers=world["vendor"])
    questionnaire = f"/v1/procurement-rounds/{round_['id']}/questionnaire"
    current = await client.get(questionnaire, headers=admin)
    changed = [q | {"max_length": 3} if q["id"] == "summary" else q for q in QUESTIONS]
    put = await client.put(
        questionnaire,
        json={"questions": changed},
        headers=admin | {"If-Match": current.headers["ETag"]},
    )
    assert put.status_code == 200, put.text
    read = await client.get(url, headers=world["vendor"])
    assert (read.json()["complete"], read.json()["invalid"]) == (False, ["summary"])


@pytest.mark.parametrize(
    ("questions", "location"),
    [
        ([QUESTIONS[0], QUESTIONS[0]], "body.questions"),
        (
            [QUESTIONS[1] | {"options": QUESTIONS[1]["options"][:1]}],
            "body.questions.0.single_choice.options",
        ),
        ([QUESTIONS[3] | {"max_length": 0}], "body.questions.0.text.max_length"),
        ([QUESTIONS[4] | {"minimum": 10, "maximum": 1}], "body.questions.0.number"),
        ([{"id": "x", "type": "colour", "label": {"en": "X"}}], "body.questions.0"),
        ([QUESTIONS[0] | {"label": {}}], "body.questions.0.yes_no.label"),
    ],
)
async def test_a_malformed_questionnaire_is_refused_naming_the_question(
    catalogue, admin, questions, location
):
    client, _ = catalogue
    round_ = await open_round(client, admin, state="announced")
    put = await client.put(
        f"/v1/procurement-rounds/{round_['id']}/questionnaire",
        json={"questions": questions},
        headers=admin | {"If-Match": "*"},
    )
    assert put.status_code == 422, put.text
    assert any(e["location"].startswith(location) for e in put.json()["errors"]), put.json()


async def test_no_declaration_after_its_deadline(catalogue, admin, world):
    client, app = catalogue
    round_ = await open_round(client, admin)
    async with committed(app) as session:
        await shift_round(
            session,
            uuid.UUID(round_["id"]),
            declaration_deadline=datetime.now(UTC) - timedelta(minutes=1),
        )
    put = await client.put(
        _url(round_, world["product"]), json={"answers": ANSWERS}, headers=world["vendor"]
    )
    assert put.status_code == 409
    assert put.json()["type"].endswith("declarations-closed")
    assert put.json()["errors"][0]["location"] == "body.declaration_deadline"
    assert await row_count(app, Declaration) == 0
