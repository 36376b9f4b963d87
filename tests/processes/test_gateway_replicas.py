"""Two gateway processes sharing one Redis: a rate limit holds across the replicas, not per replica."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import pytest
import redis

from running_platform import ROOT, free_ports

pytestmark = pytest.mark.processes

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BURST = 6
START_TIMEOUT_SECONDS = 60


def redis_unavailable_reason():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
        return None
    except redis.RedisError as exc:
        return f"Redis not reachable at {REDIS_URL}: {type(exc).__name__}"
    finally:
        client.close()


def start_gateway(port, data_dir, key_file, prefix, log):
    env = {
        **os.environ,
        "GATEWAY_PORT": str(port),
        "GATEWAY_DATA_DIR": str(data_dir),
        "GATEWAY_SIGNING_KEY_FILE": str(key_file),
        "GATEWAY_LOG_FORMAT": "json",
        "GATEWAY_REDIS_URL": REDIS_URL,
        "GATEWAY_REDIS_KEY_PREFIX": prefix,
        # Refilled once in 1000 s: nothing comes back while the test runs.
        "GATEWAY_RATE_LIMIT_ADDRESS_PER_SECOND": "0.001",
        "GATEWAY_RATE_LIMIT_ADDRESS_BURST": str(BURST),
        "GATEWAY_MAX_HEADER_BYTES": "8192",
    }
    subprocess.run(
        [sys.executable, "-m", "gateway", "migrate"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        timeout=120,
        check=True,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "gateway", "serve"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_live(url, process, log_path):
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/health/live", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"gateway at {url} did not start:\n{log_path.read_text()[-4000:]}")


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def replicas():
    reason = redis_unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    prefix = f"test-replicas:{uuid.uuid4().hex}:"
    folder = Path(tempfile.mkdtemp(prefix="gateway-replicas-"))
    key_file = folder / "signing-key.pem"
    processes, urls = [], []
    log_path = folder / "gateways.log"
    try:
        with log_path.open("wb") as log:
            for index, port in enumerate(free_ports(2)):
                data_dir = folder / f"replica-{index}"
                data_dir.mkdir()
                processes.append(start_gateway(port, data_dir, key_file, prefix, log))
                urls.append(f"http://127.0.0.1:{port}")
            for url, process in zip(urls, processes, strict=True):
                wait_live(url, process, log_path)
            yield urls, prefix
    finally:
        for process in processes:
            stop(process)
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_the_limit_holds_across_two_replicas(replicas):
    urls, prefix = replicas
    client = redis.Redis.from_url(REDIS_URL)
    # The start-up probes drew from the shared bucket too: begin from a full one.
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)
    client.close()
    answers = [
        httpx.get(f"{urls[n % 2]}/.well-known/jwks.json", timeout=5) for n in range(BURST + 4)
    ]
    statuses = [answer.status_code for answer in answers]
    assert statuses.count(200) == BURST, statuses
    assert statuses[BURST:] == [429] * 4
    # Both replicas answered some of each: the bucket is shared, not per replica.
    assert {answers[n].status_code for n in range(0, BURST + 4, 2)} == {200, 429}
    assert {answers[n].status_code for n in range(1, BURST + 4, 2)} == {200, 429}
    refused = answers[-1]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["ratelimit-limit"] == str(BURST)
    assert refused.headers["ratelimit-remaining"] == "0"
    assert int(refused.headers["retry-after"]) >= 1
    # The remaining count runs down across the replicas as one sequence.
    remaining = [int(answer.headers["ratelimit-remaining"]) for answer in answers[:BURST]]
    assert remaining == list(range(BURST - 1, -1, -1))


def test_oversized_headers_are_431_from_the_real_server(replicas):
    urls, _ = replicas
    answer = httpx.get(f"{urls[0]}/health/live", headers={"X-Note": "a" * 10_000}, timeout=5)
    assert answer.status_code == 431
    assert answer.json()["type"].endswith(":headers-too-large")
