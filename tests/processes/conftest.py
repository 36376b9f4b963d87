import pytest

from running_platform import PLATFORM


@pytest.fixture(scope="session")
def platform():
    PLATFORM.start()
    yield PLATFORM
    PLATFORM.stop()
