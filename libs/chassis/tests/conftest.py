import pytest

from notes_app.app import SPEC, NotesSettings


@pytest.fixture
async def notes(service_client):
    """(client, app) of the chassis test application on the current backend."""
    async with service_client(SPEC, NotesSettings) as opened:
        yield opened


@pytest.fixture
def staff(issuer):
    return issuer.headers("staff")
