"""Search over HTTP: publishing puts an item in the index, withdrawing takes it out in the same
transaction; the judged set, loaded as the demo loads it, keeps its figures on both databases."""

from __future__ import annotations

from chassis.runtime import app_runtime
from search_testing import judged
from training.demo.corpus import load_corpus, read_corpus
from training.resources import TrainingResources
from training_factories import committed, created, make_course

# nDCG@10 of the dev queries through GET /v1/search over the set's courses and lessons, the
# answers of other kinds dropped as `search-eval --kinds course,lesson` drops them (measured on
# both databases: 0.948 on each, 37 answerable queries, 3 of 4 no-answer queries empty; the
# same through the gateway with search-eval). The test fails 0.02 below it.
REACHED_NDCG = 0.948
ALLOWED_DROP = 0.02


async def _slugs(client, headers, **params: str) -> list[str]:
    answer = await client.get("/v1/search", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return [hit["slug"] for hit in answer.json()["items"]]


async def test_publishing_and_withdrawing_keep_search_in_step(training, issuer):
    client, _ = training
    trainer = issuer.headers("trainer")
    staff = issuer.headers("staff")
    course = await make_course(
        client,
        trainer,
        slug="koha-utlan",
        title="Utlån i Koha",
        lang="nb",
        summary="Slik låner du ut bøker og andre medier i Koha.",
        languages=["nb"],
    )
    module = await created(
        client, f"/v1/courses/{course['id']}/modules", {"title": "Utlån"}, trainer
    )
    await created(
        client,
        "/v1/lessons",
        {
            "slug": "koha-fornye-lan",
            "module_id": module["id"],
            "title": "Fornye lån i Koha",
            "lang": "nb",
            "body": "Et lån fornyes fra lånerens side i Koha.",
            "status": "published",
        },
        trainer,
    )
    # A draft course: nothing of it is found, its published lesson neither.
    assert await _slugs(client, staff, q="utlån koha", lang="nb") == []
    published = await client.patch(
        f"/v1/courses/{course['id']}",
        json={"status": "published"},
        headers=trainer | {"If-Match": '"1"'},
    )
    assert published.status_code == 200
    found = await client.get("/v1/search", params={"q": "utlån", "lang": "nb"}, headers=staff)
    hits = found.json()["items"]
    assert hits[0]["slug"] == "koha-utlan"
    assert hits[0]["kind"] == "course"
    marked = await client.get("/v1/search", params={"q": "medier", "lang": "nb"}, headers=staff)
    assert "<mark>medier</mark>" in marked.json()["items"][0]["snippet"]
    assert await _slugs(client, staff, q="fornye lån", lang="nb", kind="lesson") == [
        "koha-fornye-lan"
    ]
    assert await _slugs(client, staff, q="utlån", lang="nb", level="in-depth") == []
    withdrawn = await client.patch(
        f"/v1/courses/{course['id']}",
        json={"status": "draft"},
        headers=trainer | {"If-Match": '"2"'},
    )
    assert withdrawn.status_code == 200
    assert await _slugs(client, staff, q="utlån koha fornye", lang="nb") == []


async def test_bad_queries_are_problems_and_empty_ones_find_nothing(training, issuer):
    client, _ = training
    staff = issuer.headers("staff")
    too_long = await client.get("/v1/search", params={"q": "a" * 10_000}, headers=staff)
    assert too_long.status_code == 422
    assert too_long.headers["content-type"] == "application/problem+json"
    assert too_long.json()["errors"][0]["location"] == "query.q"
    for params in ({"q": "?!.,;"}, {"q": ""}, {"q": "   "}, {}):
        answer = await client.get("/v1/search", params=params, headers=staff)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"items": [], "next_cursor": None}
    for params in ({"q": "x", "lang": "de"}, {"q": "x", "limit": "0"}, {"q": "x", "level": "?"}):
        assert (await client.get("/v1/search", params=params, headers=staff)).status_code == 422
    assert (await client.get("/v1/search", params={"q": "x"})).status_code == 401


def _judged_for_training(slugs: set[str]) -> dict[str, dict[str, int]]:
    """The qrels as `search-eval --kinds course,lesson` keeps them: other kinds' judgements
    dropped, a query whose good answers are all of other kinds skipped; no-answer queries kept."""
    kept = {}
    for query in judged.queries():
        grades = judged.qrels().get(query.qid, {})
        ours = {slug: g for slug, g in grades.items() if slug in slugs}
        if grades and not any(g >= 2 for g in ours.values()):
            continue
        kept[query.qid] = ours
    return kept


async def test_the_judged_set_through_the_route_keeps_its_figures(training, issuer):
    client, app = training
    index = app_runtime(app).resources
    assert isinstance(index, TrainingResources)
    items = read_corpus()
    async with committed(app) as session:
        await load_corpus(session, index=index.index, items=items)
        again = await load_corpus(session, index=index.index, items=items)
    assert again == {"courses": 0, "lessons": 0}
    staff = issuer.headers("staff")
    kept = _judged_for_training({item.slug for item in items})
    queries = {q.qid: q for q in judged.queries()}
    ndcgs, empty_no_answer, empty_answerable = [], 0, []
    for qid, grades in kept.items():
        query = queries[qid]
        ranked = await _slugs(client, staff, q=query.text, lang=query.lang, limit="20")
        if not grades:
            empty_no_answer += not ranked
            continue
        if not ranked:
            empty_answerable.append(qid)
        ndcgs.append(judged.ndcg_at_10(ranked, grades))
    ndcg = sum(ndcgs) / len(ndcgs)
    print(f"\ntraining search: nDCG@10 {ndcg:.3f}, no-answer queries empty {empty_no_answer}")
    assert ndcg >= REACHED_NDCG - ALLOWED_DROP, ndcg
    assert empty_answerable == []
    assert empty_no_answer >= 3
