"""Onboarding paths: ordered courses and sessions, each person's progress, and a print version
whose structure is checked by parsing it (the browser tests come with a later issue)."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from chassis.types import utcnow
from training_factories import created, events_of, make_course, make_session


class Outline(HTMLParser):
    """The tags, the headings' text and the sections' classes of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self.sections: list[str] = []
        self._heading: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = tag
            self.headings.append((tag, ""))
        if tag == "section":
            self.sections.append(dict(attrs).get("class") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            tag, text = self.headings[-1]
            self.headings[-1] = (tag, text + data)


def _oslo(at) -> str:
    return at.astimezone(ZoneInfo("Europe/Oslo")).replace(tzinfo=None).isoformat(timespec="minutes")


async def _course_with_lessons(
    client, trainer, title: str, lessons: list[str]
) -> tuple[dict, list[dict]]:
    course = await make_course(client, trainer, title=title, status="published")
    module = await created(
        client, f"/v1/courses/{course['id']}/modules", {"title": f"{title}: basis"}, trainer
    )
    made = []
    for n, name in enumerate(lessons):
        made.append(
            await created(
                client,
                "/v1/lessons",
                {
                    "slug": f"{course['slug']}-l{n}",
                    "module_id": module["id"],
                    "title": name,
                    "lang": "nl",
                    "body": f"## Stap\n\nTekst van {name}. <script>alert(1)</script>",
                    "links": [{"title": "Handleiding", "url": "https://example.org/h"}],
                    "status": "published",
                },
                trainer,
            )
        )
    return course, made


async def test_a_path_tracks_progress_and_prints_a_page_per_course(training, issuer):
    client, _ = training
    trainer = issuer.headers("trainer")
    staff = issuer.headers("staff", sub="nieuw")
    first, first_lessons = await _course_with_lessons(
        client, trainer, "Wise basis", ["Uitlenen", "Innemen"]
    )
    second, _ = await _course_with_lessons(client, trainer, "Reserveringen", ["Ophalen"])
    now = utcnow()
    session = await make_session(
        client,
        trainer,
        starts_at=_oslo(now - timedelta(hours=1)),
        ends_at=_oslo(now + timedelta(hours=1)),
        registration_opens_at=_oslo(now - timedelta(days=1)),
        registration_closes_at=_oslo(now + timedelta(minutes=30)),
    )
    body = {
        "slug": "nieuwe-medewerkers",
        "title": "Startroute voor nieuwe medewerkers",
        "description": "Begin **hier**.",
        "lang": "nl",
        "steps": [
            {"kind": "course", "id": first["id"]},
            {"kind": "session", "id": session["id"]},
            {"kind": "course", "id": second["id"]},
        ],
    }
    unknown = await client.post(
        "/v1/paths",
        json=body | {"steps": [{"kind": "session", "id": first["id"]}]},
        headers=trainer,
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["location"] == "body.steps.0.id"
    draft = await created(client, "/v1/paths", body, trainer)
    assert (await client.get(f"/v1/paths/{draft['id']}", headers=staff)).status_code == 404
    path = await created(
        client, "/v1/paths", body | {"slug": "startroute", "status": "published"}, trainer
    )
    progress = await client.get(f"/v1/paths/{path['id']}/progress", headers=staff)
    assert progress.status_code == 200, progress.text
    assert (progress.json()["done"], progress.json()["total"]) == (0, 3)
    for lesson in first_lessons:
        done = await client.put(f"/v1/progress/lessons/{lesson['id']}", headers=staff)
        assert done.status_code == 200, done.text
    again = await client.put(f"/v1/progress/lessons/{first_lessons[0]['id']}", headers=staff)
    assert again.status_code == 200
    registration = await client.post(
        f"/v1/sessions/{session['id']}/registrations", json={}, headers=staff
    )
    await client.put(
        f"/v1/registrations/{registration.json()['id']}/attendance",
        json={"attended": True},
        headers=trainer | {"If-Match": '"1"'},
    )
    steps = (await client.get(f"/v1/paths/{path['id']}/progress", headers=staff)).json()["steps"]
    assert [(s["kind"], s["done"], s["lessons_done"], s["lessons"]) for s in steps] == [
        ("course", True, 2, 2),
        ("session", True, None, None),
        ("course", False, 0, 1),
    ]

    printed = await client.get(f"/v1/paths/{path['id']}/print", headers=staff)
    assert printed.status_code == 200
    assert printed.headers["content-type"].startswith("text/html")
    page = Outline()
    page.feed(printed.text)
    assert page.headings[0] == ("h1", "Startroute voor nieuwe medewerkers")
    assert [h for h in page.headings if h[0] == "h2"] == [
        ("h2", "Wise basis"),
        ("h2", session["title"]),
        ("h2", "Reserveringen"),
    ]
    # Modules, lessons, then the lessons' own headings below them.
    assert ("h3", "Wise basis: basis") in page.headings
    assert ("h4", "Uitlenen") in page.headings
    assert ("h6", "Stap") in page.headings  # "## Stap" under an h4 lesson
    assert page.sections == ["course", "session", "course"]
    assert not {"nav", "script", "header", "footer", "button", "form"} & set(page.tags)
    assert "break-before: page" in printed.text
    assert "&lt;script&gt;" in printed.text
    course_print = await client.get(f"/v1/courses/{first['id']}/print", headers=staff)
    course_page = Outline()
    course_page.feed(course_print.text)
    assert course_page.headings[:3] == [
        ("h1", "Wise basis"),
        ("h2", "Wise basis: basis"),
        ("h3", "Uitlenen"),
    ]


async def test_a_path_is_changed_with_if_match_and_its_new_steps_must_exist(training, issuer):
    client, app = training
    trainer = issuer.headers("trainer")
    staff = issuer.headers("staff")
    first = await make_course(client, trainer, status="published")
    second = await make_course(client, trainer, status="published")
    path = await created(
        client,
        "/v1/paths",
        {
            "slug": "route-aanpassen",
            "title": "Startroute",
            "lang": "nl",
            "steps": [{"kind": "course", "id": first["id"]}],
        },
        trainer,
    )
    url = f"/v1/paths/{path['id']}"
    unconditional = await client.patch(url, json={"title": "Nieuw"}, headers=trainer)
    assert unconditional.status_code == 428
    steps = [{"kind": "course", "id": second["id"]}, {"kind": "course", "id": first["id"]}]
    changed = await client.patch(
        url,
        json={"title": "Startroute 2027", "steps": steps, "status": "published"},
        headers=trainer | {"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == '"2"'
    assert changed.json()["steps"] == steps
    assert (changed.json()["title"], changed.json()["status"]) == ("Startroute 2027", "published")
    seen = await client.get(url, headers=staff)
    assert seen.status_code == 200
    assert seen.json()["title"] == "Startroute 2027"
    stale = await client.patch(url, json={"title": "Oud"}, headers=trainer | {"If-Match": '"1"'})
    assert stale.status_code == 412
    unknown = await client.patch(
        url,
        json={"steps": [{"kind": "session", "id": first["id"]}]},
        headers=trainer | {"If-Match": '"2"'},
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["location"] == "body.steps.0.id"
    null = await client.patch(url, json={"title": None}, headers=trainer | {"If-Match": '"2"'})
    assert null.status_code == 422
    assert (
        await client.patch(url, json={"title": "X"}, headers=staff | {"If-Match": '"2"'})
    ).status_code == 403
    assert (await client.get(url, headers=trainer)).json()["version"] == 2
    updates = await events_of(app, "path.updated")
    assert [(e["status"], e["changed"]) for e in updates] == [
        ("published", ["status", "steps", "title"])
    ]
