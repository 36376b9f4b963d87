"""Settings of the catalogue service, read from CATALOGUE_* environment variables."""

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class CatalogueSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOGUE_")

    service_name: str = "catalogue"
    port: int = 8001
    # The library catalogue's in-process cache (docs/decisions/0012-catalogue-cache.md): how long
    # a replica may answer from its cache before it checks whether another replica changed
    # anything (writes in this process are seen at once), and how many answers it keeps.
    cache_max_staleness_seconds: float = Field(default=1.0, ge=0.0, le=60.0)
    cache_entries: int = Field(default=10_000, ge=0, le=1_000_000)
    # Whose calendar decides which agreements are current ("today" in this zone).
    time_zone: str = "Europe/Oslo"
    # Seals offers' content in the database (AES-256-GCM under a key per round derived from it,
    # docs/decisions/0023-sealed-offers.md): at least 32 random characters, the same on every
    # replica, never in the database. Empty: read from the file below, generated on first use.
    offer_sealing_secret: SecretStr | None = Field(default=None, min_length=32)
    # Empty means <data_dir>/catalogue-offer-sealing.secret.
    offer_sealing_secret_file: Path | None = None
    # The rounds' OCDS export: the publisher's OCID prefix (registered with the Open Contracting
    # Partnership before publishing) and the name of the buyer the releases name.
    ocds_ocid_prefix: str = Field(default="ocds-libplt", pattern=r"^ocds-[a-z0-9]{6}$")
    procurement_buyer_name: str = Field(default="Library programme", min_length=1, max_length=200)
    # The ports a product's SUSHI URL may name (the harvester's chassis.outbound policy).
    sushi_ports: list[Annotated[int, Field(ge=1, le=65535)]] = Field(
        default_factory=lambda: [443], min_length=1
    )

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA time zone") from exc
        return value

    def resolved_offer_sealing_secret_file(self) -> Path:
        return self.offer_sealing_secret_file or self.data_dir / "catalogue-offer-sealing.secret"
