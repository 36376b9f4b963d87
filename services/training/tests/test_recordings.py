"""Recordings with WebVTT subtitles: every fault webvtt-py lets through is refused here, with its
line; a good track is stored, served as text/vtt, and its transcript is found by search."""

from __future__ import annotations

import pytest

from training.recordings.webvtt import WebVTTError, parse, transcript
from training_factories import created, events_of, make_session

GOOD = """\ufeffWEBVTT - Wise for beginners

NOTE recorded in Oslo

STYLE
::cue { color: yellow }

intro
00:00:01.000 --> 00:00:04.500 align:start
Velkommen til <b>Wise</b>-kurset.

00:00:05.000 --> 00:00:09.000
I dag lærer du å låne ut
og ta imot bøker.

01:02.000 --> 01:04.250
Reservasjoner &amp; hentehylle.
"""


def test_a_good_file_gives_its_cues_and_transcript():
    cues = parse(GOOD)
    assert [(c.start_ms, c.end_ms) for c in cues] == [(1000, 4500), (5000, 9000), (62000, 64250)]
    assert transcript(cues) == (
        "Velkommen til Wise-kurset. I dag lærer du å låne ut og ta imot bøker. "
        "Reservasjoner & hentehylle."
    )


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("WEBVTTX\n\n00:01.000 --> 00:02.000\nHei\n", 1, "starts with the line 'WEBVTT'"),
        ("", 1, "starts with the line 'WEBVTT'"),
        # webvtt-py drops this cue without a word.
        ("WEBVTT\n\n00:01.000 --> 00:02.00\nHei\n", 3, "not a timestamp"),
        ("WEBVTT\n\n00:61.000 --> 00:62.000\nHei\n", 3, "not a timestamp"),
        # webvtt-py accepts this one.
        ("WEBVTT\n\n00:05.000 --> 00:02.000\nHei\n", 3, "ends before"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\n", 3, "no text"),
        ("WEBVTT\n\n00:05.000 --> 00:06.000\nA\n\n00:01.000 --> 00:02.000\nB\n", 6, "in order"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nA\n00:03.000 --> 00:04.000\nB\n", 5, "-->"),
        ("WEBVTT\n\nid-only\nHei\n", 4, "identifier is followed by its timing"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000 colour:red\nHei\n", 3, "not a cue setting"),
        ("WEBVTT\n\nNOTE nothing else\n", 4, "no cues"),
        ("WEBVTT\n00:01.000 --> 00:02.000\nHei\n", 2, "blank line must separate"),
    ],
)
def test_each_fault_is_refused_with_its_line(text, line, reason):
    with pytest.raises(WebVTTError) as refused:
        parse(text)
    assert refused.value.line == line
    assert reason in refused.value.reason


async def test_a_recording_with_subtitles_is_served_and_its_transcript_found(training, issuer):
    client, _ = training
    trainer = issuer.headers("trainer")
    staff = issuer.headers("staff")
    session = await make_session(client, trainer)
    recording = await created(
        client,
        "/v1/recordings",
        {"session_id": session["id"], "url": "https://video.example.org/wise-101.mp4"},
        trainer,
    )
    assert recording["course_id"] == session["course_id"]
    assert recording["subtitles"] == []
    url = f"/v1/recordings/{recording['id']}/subtitles/nb"
    bad = await client.put(
        url, json={"vtt": "WEBVTT\n\n00:05.000 --> 00:02.000\nHei\n"}, headers=trainer
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    error = bad.json()["errors"][0]
    assert (error["location"], error["type"]) == ("body.vtt", "malformed-webvtt")
    assert error["message"].startswith("line 3:")
    assert (await client.get(url, headers=staff)).status_code == 404
    stored = await client.put(url, json={"vtt": GOOD}, headers=trainer)
    assert stored.status_code == 200, stored.text
    assert (stored.json()["cues"], stored.json()["duration_ms"]) == (3, 64250)
    served = await client.get(url, headers=staff)
    assert served.headers["content-type"].startswith("text/vtt")
    assert served.text == GOOD
    read = await client.get(f"/v1/recordings/{recording['id']}", headers=staff)
    assert [s["lang"] for s in read.json()["subtitles"]] == ["nb"]
    found = await client.get(
        "/v1/search", params={"q": "hentehylle", "lang": "nb", "kind": "transcript"}, headers=staff
    )
    assert [h["slug"] for h in found.json()["items"]] == [f"transcript-{recording['id']}-nb"]
    # Withdrawing the course takes the transcript out of search; publishing it again, back in.
    course_url = f"/v1/courses/{session['course_id']}"
    for status, version, expected in (("draft", '"1"', 0), ("published", '"2"', 1)):
        changed = await client.patch(
            course_url, json={"status": status}, headers=trainer | {"If-Match": version}
        )
        assert changed.status_code == 200, changed.text
        again = await client.get(
            "/v1/search",
            params={"q": "hentehylle", "lang": "nb", "kind": "transcript"},
            headers=staff,
        )
        assert len(again.json()["items"]) == expected
    unknown = await client.post(
        "/v1/recordings",
        json={"session_id": "5b0f6ad1-42a4-4f32-9b7e-1d3f0c3c7d11", "url": "https://x.example/v"},
        headers=trainer,
    )
    assert unknown.status_code == 422


async def test_a_recording_is_changed_with_if_match_and_its_transcript_follows(training, issuer):
    client, app = training
    trainer = issuer.headers("trainer")
    staff = issuer.headers("staff")
    session = await make_session(client, trainer)
    recording = await created(
        client,
        "/v1/recordings",
        {"session_id": session["id"], "url": "https://video.example.org/wise-101.mp4"},
        trainer,
    )
    url = f"/v1/recordings/{recording['id']}"
    stored = await client.put(f"{url}/subtitles/nb", json={"vtt": GOOD}, headers=trainer)
    assert stored.status_code == 200, stored.text
    assert (await client.patch(url, json={"title": "Ny"}, headers=trainer)).status_code == 428
    changed = await client.patch(
        url,
        json={"title": "Wise: utlån i skranken", "url": "https://video.example.org/wise-102.mp4"},
        headers=trainer | {"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == '"2"'
    assert changed.json()["url"] == "https://video.example.org/wise-102.mp4"
    assert [s["lang"] for s in changed.json()["subtitles"]] == ["nb"]
    found = await client.get(
        "/v1/search", params={"q": "skranken", "lang": "nb", "kind": "transcript"}, headers=staff
    )
    assert [h["slug"] for h in found.json()["items"]] == [f"transcript-{recording['id']}-nb"]
    stale = await client.patch(url, json={"title": "Gammel"}, headers=trainer | {"If-Match": '"1"'})
    assert stale.status_code == 412
    bad = await client.patch(url, json={"url": "ftp://x"}, headers=trainer | {"If-Match": '"2"'})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["location"] == "body.url"
    forbidden = await client.patch(url, json={"title": "X"}, headers=staff | {"If-Match": '"2"'})
    assert forbidden.status_code == 403
    updates = await events_of(app, "recording.updated")
    assert [e["changed"] for e in updates] == [["title", "url"]]
