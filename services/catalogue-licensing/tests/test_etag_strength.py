"""If-Match compares ETags strongly (RFC 9110 §13.1.1): the weak form of the current ETag is
refused with 412 and changes nothing; the exact strong ETag is accepted."""

from __future__ import annotations

from catalogue_factories import committed, create_county, create_library, create_municipality

URL = "/v1/libraries/NO-2030000"


async def test_a_weak_etag_never_matches_for_a_write(catalogue, issuer):
    client, app = catalogue
    async with committed(app) as session:
        county = await create_county(session, number="03", name={"nb": "Oslo"})
        oslo = await create_municipality(session, county, number="0301", name="Oslo")
        await create_library(session, oslo, isil="NO-2030000", name="Deichmanske bibliotek")
    admin = issuer.headers("programme_admin")
    etag = (await client.get(URL)).headers["ETag"]
    assert etag == '"1"'
    weak = await client.patch(URL, json={"name": "Weak"}, headers=admin | {"If-Match": f"W/{etag}"})
    assert weak.status_code == 412, weak.text
    assert weak.headers["content-type"] == "application/problem+json"
    unchanged = await client.get(URL)
    assert (unchanged.json()["name"], unchanged.headers["ETag"]) == ("Deichmanske bibliotek", etag)
    strong = await client.patch(URL, json={"name": "Strong"}, headers=admin | {"If-Match": etag})
    assert strong.status_code == 200, strong.text
    assert strong.json()["name"] == "Strong"
    assert strong.headers["ETag"] == '"2"'
