"""The knowledge base: publishing indexes in the same transaction; search and suggestions respect
audiences; votes; links to tickets; the judged help-desk articles found as well as training's."""

from __future__ import annotations

import uuid
from typing import Any

from helpdesk_factories import committed, desk, if_match, raise_ticket

from helpdesk.knowledge.models import Article
from search_testing import judged


def article(**overrides: Any) -> dict[str, Any]:
    return {
        "lang": "nl",
        "title": "Bibliotheekpas verloren of gestolen",
        "body": "Blokkeer de pas in het bibliotheeksysteem en maak een nieuwe aan aan de balie.",
        "tags": ["pas"],
        "status": "published",
    } | overrides


async def test_publishing_indexes_and_audiences_are_kept(helpdesk, issuer):
    client, app = helpdesk
    agent = issuer.headers("agent")
    public = await client.post("/v1/articles", json=article(slug="nl-pas"), headers=agent)
    assert public.status_code == 201, public.text
    internal = await client.post(
        "/v1/articles",
        json=article(
            slug="nl-pas-intern",
            title="Bibliotheekpas: interne procedure bij fraude",
            audience="internal",
        ),
        headers=agent,
    )
    assert internal.status_code == 201
    draft = await client.post(
        "/v1/articles", json=article(slug="nl-pas-concept", status="draft"), headers=agent
    )
    params = {"q": "bibliotheekpas verloren", "lang": "nl"}
    anonymous = await client.get("/v1/search", params=params)
    assert anonymous.status_code == 200, anonymous.text
    assert [h["slug"] for h in anonymous.json()["items"]] == ["nl-pas"]
    staff = issuer.headers("staff", isil="BE-ANT01")
    as_staff = await client.get("/v1/search", params=params, headers=staff)
    assert "nl-pas-intern" not in as_staff.text
    as_agent = await client.get("/v1/search", params=params, headers=agent)
    assert {h["slug"] for h in as_agent.json()["items"]} == {"nl-pas", "nl-pas-intern"}
    typo = await client.get("/v1/search", params={"q": "biblioteekpas verloren", "lang": "nl"})
    assert typo.json()["items"][0]["slug"] == "nl-pas"
    suggested = await client.get(
        "/v1/article-suggestions",
        params={"subject": "Pas verloren", "description": "Een lezer is haar bibliotheekpas kwijt"},
        headers=staff,
    )
    assert [h["slug"] for h in suggested.json()["items"]] == ["nl-pas"]
    # Reads: staff and anonymous callers see published public articles only.
    assert (
        await client.get(f"/v1/articles/{internal.json()['id']}", headers=staff)
    ).status_code == 404
    assert (await client.get(f"/v1/articles/{draft.json()['id']}")).status_code == 404
    listed = await client.get("/v1/articles")
    assert [a["slug"] for a in listed.json()["items"]] == ["nl-pas"]
    # Archiving takes it out of the index in the same change.
    archived = await client.patch(
        f"/v1/articles/{public.json()['id']}",
        json={"status": "archived"},
        headers=agent | if_match(public.json()),
    )
    assert archived.status_code == 200
    assert (await client.get("/v1/search", params=params)).json()["items"] == []
    too_long = await client.get("/v1/search", params={"q": "x" * 501})
    assert too_long.status_code == 422
    bad_lang = await client.get("/v1/search", params={"q": "pas", "lang": "xx"})
    assert bad_lang.status_code == 422
    async with committed(app) as session:
        stored = await session.get(Article, uuid.UUID(public.json()["id"]))
        assert stored is not None
        assert stored.status == "archived"


async def test_votes_count_once_per_caller_and_articles_link_to_tickets(helpdesk, issuer):
    client, _app = helpdesk
    agent = issuer.headers("agent")
    created = (await client.post("/v1/articles", json=article(), headers=agent)).json()
    path = f"/v1/articles/{created['id']}/votes"
    staff = issuer.headers("staff", isil="BE-ANT01", sub="an@ant")
    await client.post(path, json={"helpful": True}, headers=staff)
    await client.post(path, json={"helpful": True}, headers=staff)
    changed = await client.post(path, json={"helpful": False}, headers=staff)
    other = await client.post(
        path, json={"helpful": True}, headers=issuer.headers("agent", sub="b")
    )
    assert (changed.json()["helpful_votes"], changed.json()["unhelpful_votes"]) == (0, 1)
    assert (other.json()["helpful_votes"], other.json()["unhelpful_votes"]) == (1, 1)
    assert (await client.post(path, json={"helpful": True})).status_code == 401
    service = await desk(client, issuer)
    ticket = await raise_ticket(client, staff, service["id"])
    linked = await client.post(
        f"/v1/tickets/{ticket['id']}/articles", json={"article_id": created["id"]}, headers=agent
    )
    assert linked.status_code == 201, linked.text
    again = await client.post(
        f"/v1/tickets/{ticket['id']}/articles", json={"article_id": created["id"]}, headers=agent
    )
    assert again.status_code == 409
    seen = await client.get(f"/v1/tickets/{ticket['id']}/articles", headers=staff)
    assert [a["article_id"] for a in seen.json()["items"]] == [created["id"]]


async def test_the_judged_help_desk_articles_are_found(helpdesk, issuer):
    client, _app = helpdesk
    agent = issuer.headers("agent")
    for document in judged.corpus():
        if document.kind != "article":
            continue
        body = {
            "slug": document.slug,
            "lang": document.lang,
            "title": document.title,
            "body": document.body,
            "tags": list(document.tags),
            "topic": document.facets["topic"],
            "status": "published",
        }
        answer = await client.post("/v1/articles", json=body, headers=agent)
        assert answer.status_code == 201, answer.text
    kept, judgements = judged.for_kinds(frozenset({"article"}))
    results = {}
    for query in kept:
        answer = await client.get(
            "/v1/search", params={"q": query.text, "lang": query.lang, "limit": 20}
        )
        results[query.qid] = [hit["slug"] for hit in answer.json()["items"]]
    figures = judged.figures(results, judgements)
    print(f"\nknowledge-base search: nDCG@10 {figures.ndcg:.3f}, Recall@20 {figures.recall:.3f}")
    # The bar (training's too) is nDCG@10 >= 0.92 on both databases; like training's
    # test, this one holds the figure reached less 0.02: 0.985 on both since the related words
    # (decision 0050), every answerable query answered, 3 of the 4 no-answer queries empty.
    assert figures.ndcg >= 0.965, figures
    assert figures.zero_rate == 0, figures
    assert figures.no_answer_empty >= 3, figures
