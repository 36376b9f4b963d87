"""chassis.sealing: what is sealed opens only under its secret, purpose, salt and row."""

from __future__ import annotations

import os
import threading

import pytest

from chassis.sealing import NONCE_BYTES, Sealer, Unsealable, load_secret_file

SECRET = b"0123456789abcdef0123456789abcdef-test-vector"


def test_sealed_bytes_open_only_for_their_row_salt_purpose_and_secret():
    sealer = Sealer(SECRET, purpose=b"notes v1")
    sealed = sealer.seal(b"the price", associated=b"row:1", salt=b"round-a")
    assert b"the price" not in sealed
    assert len(sealed) == NONCE_BYTES + len(b"the price") + 16
    assert sealer.open(sealed, associated=b"row:1", salt=b"round-a") == b"the price"
    # Two seals of the same value differ (a fresh nonce each time).
    assert sealer.seal(b"the price", associated=b"row:1", salt=b"round-a") != sealed
    for opener, associated, salt in (
        (sealer, b"row:2", b"round-a"),
        (sealer, b"row:1", b"round-b"),
        (sealer, b"row:1", None),
        (Sealer(SECRET, purpose=b"notes v2"), b"row:1", b"round-a"),
        (Sealer(SECRET + b"!", purpose=b"notes v1"), b"row:1", b"round-a"),
    ):
        with pytest.raises(Unsealable):
            opener.open(sealed, associated=associated, salt=salt)
    damaged = sealed[:-1] + bytes([sealed[-1] ^ 1])
    for broken in (damaged, sealed[:20], b""):
        with pytest.raises(Unsealable):
            sealer.open(broken, associated=b"row:1", salt=b"round-a")


def test_json_round_trips_and_weak_settings_are_refused():
    sealer = Sealer(SECRET, purpose=b"notes v1")
    value = {"b": [1, 2], "a": "ø"}
    assert sealer.open_json(sealer.seal_json(value, associated=b"x"), associated=b"x") == value
    with pytest.raises(ValueError, match="at least 32 bytes"):
        Sealer(b"short", purpose=b"notes v1")
    with pytest.raises(ValueError, match="purpose"):
        Sealer(SECRET, purpose=b"")


def test_what_the_services_sealed_before_the_kit_had_it_still_opens():
    """Bytes sealed by the services' own code before this module (the same scheme): stored
    offers and SUSHI credentials must keep opening."""
    credentials = bytes.fromhex(
        "eea3bc69a7c304a9444d59ba3967d3a94da02335437023cacdb3d7f8fa03ad77c223a68de2fe5ec58f"
        "e46576dcc7cd58a19d5debd9b2f0761686edff23"
    )
    product = bytes.fromhex("0193a5c27b4e7e019a00000000000001")
    kpi = Sealer(SECRET, purpose=b"library-platform kpi sushi credentials v1")
    assert kpi.open_json(credentials, associated=product) == {"api_key": "k", "customer_id": "c"}
    offer = bytes.fromhex(
        "21c8fb1603460f32b6d8c75b8f45aee524aff9626d83d7aecfbe6e80abb1f35977299b11075692fc33"
        "3864f754d1"
    )
    catalogue = Sealer(SECRET, purpose=b"library-platform catalogue offers v1")
    opened = catalogue.open_json(
        offer,
        associated=b"offer:0193a5c2-7b4e-7e01-9a00-0000000000bb:version:2",
        salt=bytes.fromhex("0193a5c27b4e7e019a000000000000aa"),
    )
    assert opened == {"price": "100.00"}


def test_a_secret_file_is_made_once_private_and_shared_by_processes_starting_together(tmp_path):
    path = tmp_path / "data" / "sealing.secret"
    found: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: found.append(load_secret_file(path))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(found)) == 1
    assert len(found[0]) == 64
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["sealing.secret"]
    path.write_bytes(b"too short\n")
    os.chmod(path, 0o600)
    with pytest.raises(ValueError, match="fewer than 32"):
        load_secret_file(path)
