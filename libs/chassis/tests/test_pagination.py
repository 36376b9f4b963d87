"""Cursor pagination: stable order, bounded pages, next_cursor and Link until the last page."""


async def test_pages_cover_every_item_once_in_order(notes, staff):
    client, _ = notes
    titles = [f"note {i}" for i in range(7)]
    for title in titles:
        await client.post("/v1/notes", json={"title": title}, headers=staff)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        response = await client.get("/v1/notes", params=params)
        assert response.status_code == 200
        body = response.json()
        seen += [n["title"] for n in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            assert "link" not in response.headers
            break
        assert response.headers["link"].endswith('rel="next"')
        assert f"cursor={cursor}" in response.headers["link"]
    assert seen == titles
    assert pages == 3


async def test_default_page_when_no_limit_given(notes):
    client, _ = notes
    body = (await client.get("/v1/notes")).json()
    assert body == {"items": [], "next_cursor": None}


def test_id_after_reads_a_uuid_cursor_and_refuses_anything_else():
    import uuid

    import pytest

    from chassis.pagination import BadCursor, PageQuery, encode_cursor, id_after

    key = uuid.uuid4()
    assert id_after(PageQuery(limit=5, cursor=None)) is None
    assert id_after(PageQuery(limit=5, cursor=encode_cursor([str(key)]))) == key
    with pytest.raises(BadCursor) as refused:
        id_after(PageQuery(limit=5, cursor=encode_cursor(["not-a-uuid"])))
    assert (refused.value.status, refused.value.type.rsplit(":", 1)[1]) == (400, "bad-cursor")


def test_the_next_link_keeps_the_query_as_sent_and_replaces_the_cursor():
    from starlette.requests import Request

    from chassis.pagination import next_link

    def request(query: bytes) -> Request:
        return Request({"type": "http", "path": "/v1/notes", "query_string": query})

    link = next_link(request(b"limit=5&cursor=old&name=%C3%B8st+fold&cur%73or=x"), cursor="WzFd")
    assert link == '</v1/notes?limit=5&name=%C3%B8st+fold&cursor=WzFd>; rel="next"'
    assert next_link(request(b""), after=7) == '</v1/notes?after=7>; rel="next"'
    assert next_link(request(b"a=1"), cursor="x y") == '</v1/notes?a=1&cursor=x+y>; rel="next"'
