"""Optimistic concurrency: ETag from the version, If-Match required, stale writes refused."""

import asyncio


async def _create(client, headers, title="first"):
    response = await client.post("/v1/notes", json={"title": title}, headers=headers)
    assert response.status_code == 201, response.text
    return response


async def test_create_and_read_carry_the_version_as_etag(notes, staff):
    client, _ = notes
    created = await _create(client, staff)
    assert created.headers["etag"] == '"1"'
    read = await client.get(created.headers["location"])
    assert read.headers["etag"] == '"1"'


async def test_conditional_get_answers_304(notes, staff):
    client, _ = notes
    location = (await _create(client, staff)).headers["location"]
    response = await client.get(location, headers={"If-None-Match": '"1"'})
    assert response.status_code == 304
    assert response.content == b""
    assert (await client.get(location, headers={"If-None-Match": '"9"'})).status_code == 200


async def test_update_without_if_match_is_428(notes, staff):
    client, _ = notes
    location = (await _create(client, staff)).headers["location"]
    response = await client.patch(location, json={"title": "x"}, headers=staff)
    assert response.status_code == 428
    assert (await client.delete(location, headers=staff)).status_code == 428


async def test_stale_if_match_is_412_and_nothing_changes(notes, staff):
    client, _ = notes
    location = (await _create(client, staff)).headers["location"]
    ok = await client.patch(
        location, json={"title": "second"}, headers={**staff, "If-Match": '"1"'}
    )
    assert ok.status_code == 200
    assert ok.headers["etag"] == '"2"'
    stale = await client.patch(
        location, json={"title": "third"}, headers={**staff, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.headers["etag"] == '"2"'
    assert (await client.get(location)).json()["title"] == "second"
    gone = await client.delete(location, headers={**staff, "If-Match": '"2"'})
    assert gone.status_code == 204


async def test_many_writers_with_one_if_match_exactly_one_wins(notes, staff):
    client, _ = notes
    location = (await _create(client, staff)).headers["location"]

    async def write(i):
        response = await client.patch(
            location, json={"title": f"writer {i}"}, headers={**staff, "If-Match": '"1"'}
        )
        return response.status_code

    statuses = await asyncio.gather(*(write(i) for i in range(50)))
    assert sorted(statuses) == [200] + [412] * 49
    final = (await client.get(location)).json()
    assert final["version"] == 2


def test_creating_preconditions_follow_rfc_9110():
    import pytest

    from chassis.concurrency import AlreadyExists, IfMatch, IfNoneMatch, Versioned
    from chassis.problems import PreconditionFailed

    class Row(Versioned):
        def __init__(self, version: int) -> None:
            self.version = version

    IfMatch(None).require_absent("nothing exists yet")
    with pytest.raises(PreconditionFailed):
        IfMatch('"1"').require_absent("nothing exists yet")
    IfNoneMatch(None).require_not_star(Row(3), "it exists")
    with pytest.raises(AlreadyExists) as exists:
        IfNoneMatch(" * ").require_not_star(Row(3), "it exists")
    assert (exists.value.status, exists.value.headers) == (412, {"ETag": '"3"'})
    # If-Match compares strongly (RFC 9110 §13.1.1): a weak tag never matches.
    IfMatch('"4", "3"').require(Row(3))
    for weak in ('W/"3"', 'W/"3", "4"', ' W/"3" '):
        with pytest.raises(PreconditionFailed):
            IfMatch(weak).require(Row(3))
    # If-None-Match compares weakly (§13.1.2).
    assert IfNoneMatch('W/"3"').matches('"3"')


def test_content_answers_carry_their_bytes_tag_and_revalidate_to_304():
    from starlette.requests import Request

    from chassis.concurrency import conditional_content, content_etag

    def request(if_none_match=None):
        headers = [] if if_none_match is None else [(b"if-none-match", if_none_match.encode())]
        return Request({"type": "http", "method": "GET", "path": "/", "headers": headers})

    body = b"figures,2025\n"
    tag = content_etag(body)
    assert tag == content_etag(bytes(body))
    assert tag != content_etag(body + b" ")
    assert tag.startswith('"')
    assert len(tag) == 34
    cache = {"Cache-Control": "public, max-age=300"}
    first = conditional_content(
        request(), body, media_type="text/csv", headers=cache, body_headers={"Link": "<m>"}
    )
    assert (first.status_code, first.body) == (200, body)
    assert first.headers["etag"] == tag
    assert first.headers["link"] == "<m>"
    again = conditional_content(
        request(f'"other", {tag}'), body, media_type="text/csv", headers=cache
    )
    assert (again.status_code, again.body) == (304, b"")
    assert again.headers["etag"] == tag
    assert again.headers["cache-control"] == "public, max-age=300"
    assert "link" not in again.headers
