"""Common base of the activity classes: the worker's settings, read at the edge."""

from __future__ import annotations

from durable_research.config import Settings, load_settings


class WithSettings:
    """Holds the worker's settings so secrets never pass through workflow inputs."""

    def __init__(self, settings: Settings | None = None) -> None:
        """Create the activities; ``settings`` default to the environment's."""
        self._settings = settings

    @property
    def settings(self) -> Settings:
        """Settings, loaded lazily so a worker can start before they are needed."""
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    async def aclose(self) -> None:
        """Release what the activities opened (connections, pools); the worker calls it
        when it stops. Nothing here; classes holding such resources close them."""
