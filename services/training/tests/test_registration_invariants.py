"""Random register/cancel sequences against a small session: after every step the seats are never
over-filled, nobody waits while a seat is free, the waiting list runs in arrival order, and what
the service answers matches a plain model of the queue."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from training_factories import make_session

Step = tuple[str, int]
STEPS = st.lists(
    st.tuples(st.sampled_from(["register", "cancel"]), st.integers(min_value=0, max_value=6)),
    min_size=1,
    max_size=25,
)


class Model:
    """The queue as the rules describe it: seats by arrival, the rest waiting in arrival order."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.status: dict[int, str] = {}
        self.arrival: dict[int, int] = {}
        self.arrivals = 0

    def register(self, person: int) -> int:
        if self.status.get(person) in ("confirmed", "waiting"):
            return 409
        self.arrivals += 1
        self.arrival[person] = self.arrivals
        confirmed = sum(1 for s in self.status.values() if s == "confirmed")
        self.status[person] = "confirmed" if confirmed < self.capacity else "waiting"
        return 201

    def cancel(self, person: int) -> int | None:
        was = self.status.get(person)
        if was is None:
            return None
        if was == "cancelled":
            return 409
        self.status[person] = "cancelled"
        if was == "confirmed":
            waiting = sorted((self.arrival[p], p) for p, s in self.status.items() if s == "waiting")
            if waiting:
                self.status[waiting[0][1]] = "confirmed"
        return 200


def _check_invariants(rows: list[dict[str, Any]], seats: dict[str, Any], capacity: int) -> None:
    confirmed = [r for r in rows if r["status"] == "confirmed"]
    waiting = sorted((r for r in rows if r["status"] == "waiting"), key=lambda r: r["arrival"])
    assert len(confirmed) <= capacity
    assert seats["confirmed"] == len(confirmed)
    if waiting:
        assert len(confirmed) == capacity, "someone waits while a seat is free"
    assert [r["waiting_position"] for r in waiting] == list(range(1, len(waiting) + 1))
    assert len({r["person"] for r in rows}) == len(rows)
    assert sorted(r["arrival"] for r in rows) == sorted({r["arrival"] for r in rows})


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(capacity=st.integers(min_value=1, max_value=3), steps=STEPS)
async def test_random_register_and_cancel_keep_the_invariants(training, issuer, capacity, steps):
    client, _ = training
    trainer = issuer.headers("trainer")
    session = await make_session(client, trainer, capacity={"online": capacity})
    sid = session["id"]
    model = Model(capacity)
    ids: dict[int, str] = {}
    for action, person in steps:
        staff = issuer.headers("staff", sub=f"p{person}")
        if action == "register":
            answer = await client.post(f"/v1/sessions/{sid}/registrations", json={}, headers=staff)
            assert answer.status_code == model.register(person), answer.text
            if answer.status_code == 201:
                ids[person] = answer.json()["id"]
                assert answer.json()["status"] == model.status[person]
        else:
            expected = model.cancel(person)
            if expected is None:
                continue
            current = await client.get(f"/v1/registrations/{ids[person]}", headers=staff)
            answer = await client.post(
                f"/v1/registrations/{ids[person]}/cancel",
                headers=staff | {"If-Match": current.headers["ETag"]},
            )
            assert answer.status_code == expected, answer.text
        listed = await client.get(
            f"/v1/sessions/{sid}/registrations", params={"limit": 100}, headers=trainer
        )
        rows = listed.json()["items"]
        assert {int(r["person"][1:]): r["status"] for r in rows} == model.status
        seats = (await client.get(f"/v1/sessions/{sid}")).json()["seats"][0]
        _check_invariants(rows, seats, capacity)
