"""gzip of pages, scripts and downloads: who gets it, under which tag, and what caches are told."""

from __future__ import annotations

import gzip

import pytest
from starlette.requests import Request

from chassis.caching import CachedAnswer
from chassis.compression import MIN_BYTES, accepts_gzip, gzip_body, gzip_etag, vary_with_encoding
from chassis.concurrency import conditional_content, content_etag

PAGE = ("<tr><td>Deichman</td><td>1 234 567</td></tr>\n" * 200).encode()


def request(**headers: str) -> Request:
    raw = [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw})


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        (None, False),
        ("", False),
        ("gzip", True),
        ("GZIP", True),
        ("br, gzip, deflate", True),
        ("x-gzip", True),
        ("gzip;q=0.5", True),
        ("gzip; q=0", False),
        ("gzip;q=0.000", False),
        ("*", True),
        ("*;q=0", False),
        ("*, gzip;q=0", False),
        ("gzip;q=0, *", False),
        ("identity", False),
        ("br", False),
        ("gzip;q=nonsense", False),
        ("gzip;q=2", False),
        ("deflate;q=0.3, gzip;q=0.1", True),
    ],
)
def test_accept_encoding_is_read_with_its_weights(header: str | None, accepted: bool) -> None:
    assert accepts_gzip(header) is accepted


def test_the_same_body_gzips_to_the_same_bytes_and_a_small_one_is_left_alone() -> None:
    packed = gzip_body(PAGE)
    assert packed is not None
    assert packed == gzip_body(bytes(PAGE))  # mtime 0: every replica sends the same bytes
    assert gzip.decompress(packed) == PAGE
    assert len(packed) < len(PAGE) / 10
    assert gzip_body(b"x" * (MIN_BYTES - 1)) is None
    # Bytes that do not shrink are not sent gzipped.
    assert gzip_body(gzip.compress(PAGE)) is None


def test_the_gzipped_representation_has_its_own_tag_and_vary_names_accept_encoding() -> None:
    assert gzip_etag('"abc"') == '"abc-gzip"'
    assert gzip_etag('W/"abc"') == 'W/"abc-gzip"'
    assert vary_with_encoding(None) == "Accept-Encoding"
    assert vary_with_encoding("Accept-Language") == "Accept-Language, Accept-Encoding"
    assert vary_with_encoding("accept-encoding, Cookie") == "accept-encoding, Cookie"


def test_a_client_that_accepts_gzip_gets_the_cached_gzipped_bytes_and_revalidates_them() -> None:
    answer = CachedAnswer.of(7, PAGE)
    assert answer.etag == content_etag(PAGE)
    assert answer.gzipped is not None
    headers = {"Cache-Control": "public, max-age=300", "Vary": "Accept-Language"}

    def send(**request_headers: str):
        return conditional_content(
            request(**request_headers),
            answer.body,
            media_type="text/html",
            headers=headers,
            etag=answer.etag,
            gzipped=answer.gzipped,
        )

    packed = send(accept_encoding="gzip, br")
    plain = send()
    assert packed.body == answer.gzipped
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["content-length"] == str(len(answer.gzipped))
    assert packed.headers["etag"] == gzip_etag(answer.etag)
    assert plain.body == PAGE
    assert "content-encoding" not in plain.headers
    assert plain.headers["etag"] == answer.etag
    for response in (packed, plain):
        assert response.headers["vary"] == "Accept-Language, Accept-Encoding"
        assert response.headers["cache-control"] == "public, max-age=300"
    # Each representation revalidates under its own tag, and never as the other one.
    again = send(accept_encoding="gzip", if_none_match=packed.headers["etag"])
    assert (again.status_code, again.body) == (304, b"")
    assert again.headers["vary"] == "Accept-Language, Accept-Encoding"
    assert "content-encoding" not in again.headers
    assert send(if_none_match=plain.headers["etag"]).status_code == 304
    assert send(if_none_match=packed.headers["etag"]).status_code == 200
    assert send(accept_encoding="gzip", if_none_match=plain.headers["etag"]).status_code == 200
    # The caller's headers are not changed for the next answer.
    assert headers == {"Cache-Control": "public, max-age=300", "Vary": "Accept-Language"}


def test_compress_gzips_on_the_way_out_and_leaves_small_bodies_and_their_vary_alone() -> None:
    def send(body: bytes, **request_headers: str):
        return conditional_content(
            request(**request_headers),
            body,
            media_type="text/csv",
            headers={"Cache-Control": "public, max-age=300"},
            body_headers={"Content-Disposition": 'attachment; filename="figures.csv"'},
            compress=True,
        )

    packed = send(PAGE, accept_encoding="gzip")
    assert gzip.decompress(packed.body) == PAGE
    assert packed.headers["etag"] == gzip_etag(content_etag(PAGE))
    assert packed.headers["vary"] == "Accept-Encoding"
    assert packed.headers["content-disposition"] == 'attachment; filename="figures.csv"'
    assert send(PAGE).body == PAGE
    assert send(PAGE).headers["vary"] == "Accept-Encoding"
    small = send(b"a,b\n1,2\n", accept_encoding="gzip")
    assert small.body == b"a,b\n1,2\n"
    assert "vary" not in small.headers
    assert "content-encoding" not in small.headers
