"""The running platform for the process tests (shared with the browser tests: `PLATFORM` starts
once however many folders ask for it)."""

from collections.abc import Iterator

import pytest

from running_platform import PLATFORM, Platform


@pytest.fixture(scope="session")
def platform() -> Iterator[Platform]:
    PLATFORM.start()
    yield PLATFORM
    PLATFORM.stop()
