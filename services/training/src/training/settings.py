"""Settings of the training service, read from TRAINING_* environment variables."""

from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class TrainingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TRAINING_")

    service_name: str = "training"
    port: int = 8002
