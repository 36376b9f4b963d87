"""Learning content over HTTP: trainers write drafts and publish; staff read only what is published."""

from __future__ import annotations

from training_factories import course_body, created, events_of, make_course, make_topic


async def test_trainer_builds_a_course_and_staff_see_it_only_once_published(training, issuer):
    client, app = training
    trainer = issuer.headers("trainer")
    staff = issuer.headers("staff", isil="NO-0301000")
    course = await make_course(client, trainer)
    assert course["status"] == "draft"
    assert course["published_at"] is None
    module = await created(
        client, f"/v1/courses/{course['id']}/modules", {"title": "Uitlenen"}, trainer
    )
    assert module["position"] == 1
    second = await created(
        client, f"/v1/courses/{course['id']}/modules", {"title": "Innemen"}, trainer
    )
    assert second["position"] == 2
    lesson = await created(
        client,
        "/v1/lessons",
        {
            "slug": "uitlenen-balie",
            "module_id": module["id"],
            "title": "Uitlenen aan de balie",
            "lang": "nl",
            "body": "# Uitlenen\n\nScan de pas.",
            "links": [{"title": "Handleiding", "url": "https://example.org/wise"}],
            "files": [
                {
                    "title": "Checklist",
                    "url": "https://example.org/checklist.pdf",
                    "media_type": "application/pdf",
                }
            ],
            "status": "published",
        },
        trainer,
    )
    assert lesson["course_id"] == course["id"]
    assert lesson["files"][0]["media_type"] == "application/pdf"

    # A draft course and its lessons do not exist for staff.
    assert (await client.get(f"/v1/courses/{course['id']}", headers=staff)).status_code == 404
    assert (await client.get(f"/v1/lessons/{lesson['id']}", headers=staff)).status_code == 404
    assert (await client.get("/v1/courses", headers=staff)).json()["items"] == []
    assert (await client.get("/v1/lessons", headers=staff)).json()["items"] == []
    drafts = await client.get("/v1/courses", params={"status": "draft"}, headers=staff)
    assert drafts.status_code == 403
    modules = await client.get(f"/v1/courses/{course['id']}/modules", headers=staff)
    assert modules.status_code == 404
    assert len((await client.get("/v1/courses", headers=trainer)).json()["items"]) == 1

    published = await client.patch(
        f"/v1/courses/{course['id']}",
        json={"status": "published"},
        headers=trainer | {"If-Match": '"1"'},
    )
    assert published.status_code == 200, published.text
    assert published.headers["ETag"] == '"2"'
    assert published.json()["published_at"] is not None
    seen = await client.get(f"/v1/courses/{course['id']}", headers=staff)
    assert seen.status_code == 200
    again = await client.get(
        f"/v1/courses/{course['id']}", headers=staff | {"If-None-Match": seen.headers["ETag"]}
    )
    assert again.status_code == 304
    titles = [
        m["title"]
        for m in (await client.get(f"/v1/courses/{course['id']}/modules", headers=staff)).json()[
            "items"
        ]
    ]
    assert titles == ["Uitlenen", "Innemen"]
    listed = await client.get("/v1/lessons", params={"course_id": course["id"]}, headers=staff)
    assert [x["slug"] for x in listed.json()["items"]] == ["uitlenen-balie"]

    # Withdrawn again: gone for staff, lesson included.
    withdrawn = await client.patch(
        f"/v1/courses/{course['id']}",
        json={"status": "draft"},
        headers=trainer | {"If-Match": '"2"'},
    )
    assert withdrawn.status_code == 200
    assert (await client.get(f"/v1/lessons/{lesson['id']}", headers=staff)).status_code == 404
    updates = await events_of(app, "course.updated")
    assert [(e["status"], e["changed"]) for e in updates] == [
        ("published", ["status"]),
        ("draft", ["status"]),
    ]


async def test_filters_find_courses_by_topic_level_format_language_and_tag(training, issuer):
    client, _ = training
    trainer = issuer.headers("trainer")
    topic = await make_topic(client, trainer)
    other = await make_topic(client, trainer)
    bodies = [
        course_body(topic["id"], level="starter", format="webinar", languages=["nb", "nn"]),
        course_body(topic["id"], level="in-depth", format="classroom", tags=["koha"]),
        course_body(other["id"], level="starter", format="hybrid", lang="en", languages=["en"]),
    ]
    made = [
        await created(client, "/v1/courses", b | {"status": "published"}, trainer) for b in bodies
    ]

    async def slugs(**params: str) -> list[str]:
        answer = await client.get("/v1/courses", params=params, headers=trainer)
        assert answer.status_code == 200, answer.text
        return sorted(c["slug"] for c in answer.json()["items"])

    assert await slugs(topic=topic["slug"]) == sorted(m["slug"] for m in made[:2])
    assert await slugs(level="in-depth") == [made[1]["slug"]]
    assert await slugs(format="hybrid") == [made[2]["slug"]]
    assert await slugs(lang="nn") == [made[0]["slug"]]
    assert await slugs(tag="koha") == [made[1]["slug"]]
    assert await slugs(slug=made[2]["slug"]) == [made[2]["slug"]]
    page = await client.get("/v1/courses", params={"limit": 2}, headers=trainer)
    assert len(page.json()["items"]) == 2
    rest = await client.get(
        "/v1/courses", params={"cursor": page.json()["next_cursor"]}, headers=trainer
    )
    assert len(rest.json()["items"]) == 1


async def test_language_and_tag_filters_fill_the_page_before_its_limit(training, issuer):
    """Matches after non-matching courses still fill the page: the filter is in the query, not
    applied to a page already cut (where a page came back short or empty while more matched)."""
    client, _ = training
    trainer = issuer.headers("trainer")
    topic = await make_topic(client, trainer)
    for _ in range(3):
        await created(
            client, "/v1/courses", course_body(topic["id"]) | {"status": "published"}, trainer
        )
    wanted = [
        await created(
            client,
            "/v1/courses",
            course_body(topic["id"], languages=["nb", "nn"], tags=["koha"])
            | {"status": "published"},
            trainer,
        )
        for _ in range(3)
    ]
    expected = sorted(c["slug"] for c in wanted)
    for params in ({"lang": "nn"}, {"tag": "koha"}, {"lang": "nn", "tag": "koha"}):
        first = await client.get("/v1/courses", params=params | {"limit": 2}, headers=trainer)
        assert first.status_code == 200, first.text
        assert len(first.json()["items"]) == 2, params
        rest = await client.get(
            "/v1/courses",
            params=params | {"limit": 2, "cursor": first.json()["next_cursor"]},
            headers=trainer,
        )
        got = [c["slug"] for c in first.json()["items"] + rest.json()["items"]]
        assert sorted(got) == expected, params
        assert rest.json()["next_cursor"] is None
    # A course's own language counts as offered, and a value no course has finds nothing.
    own = await client.get("/v1/courses", params={"lang": "nl", "limit": 2}, headers=trainer)
    assert len(own.json()["items"]) == 2
    none = await client.get("/v1/courses", params={"tag": "nothing-has-it"}, headers=trainer)
    assert none.json() == {"items": [], "next_cursor": None}


async def test_bad_content_input_is_a_problem_naming_the_field(training, issuer):
    client, _ = training
    trainer = issuer.headers("trainer")
    course = await make_course(client, trainer)
    topic_id = course["topic_id"]
    cases = [
        (course_body(topic_id, level="expert"), "body.level"),
        (course_body(topic_id, format="podcast"), "body.format"),
        (course_body(topic_id, languages=[]), "body.languages"),
        (course_body(topic_id, languages=["de"]), "body.languages.0"),
        (course_body(topic_id, slug="Not A Slug"), "body.slug"),
        (course_body(topic_id, product_ids=["nope"]), "body.product_ids.0"),
        (course_body("5b0f6ad1-42a4-4f32-9b7e-1d3f0c3c7d11"), "body.topic_id"),
        (course_body(topic_id, title="x" * 301), "body.title"),
    ]
    for body, location in cases:
        answer = await client.post("/v1/courses", json=body, headers=trainer)
        assert answer.status_code == 422, (location, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert location in {e["location"] for e in answer.json()["errors"]}, answer.json()
    taken = await client.post(
        "/v1/courses", json=course_body(topic_id, slug=course["slug"]), headers=trainer
    )
    assert taken.status_code == 409
    assert taken.json()["errors"][0]["location"] == "body.slug"
    module = await created(client, f"/v1/courses/{course['id']}/modules", {"title": "M"}, trainer)
    lesson_taken = await client.post(
        "/v1/lessons",
        json={"slug": course["slug"], "module_id": module["id"], "title": "L", "lang": "nl"},
        headers=trainer,
    )
    assert lesson_taken.status_code == 409
    bad_link = await client.post(
        "/v1/lessons",
        json={
            "slug": "lesson-x",
            "module_id": module["id"],
            "title": "L",
            "lang": "nl",
            "links": [{"title": "x", "url": "javascript:alert(1)"}],
        },
        headers=trainer,
    )
    assert bad_link.status_code == 422
    assert bad_link.json()["errors"][0]["location"] == "body.links.0.url"
    stale = await client.patch(
        f"/v1/courses/{course['id']}", json={"title": "New"}, headers=trainer | {"If-Match": '"9"'}
    )
    assert stale.status_code == 412
    null = await client.patch(
        f"/v1/courses/{course['id']}", json={"title": None}, headers=trainer | {"If-Match": '"1"'}
    )
    assert null.status_code == 422
