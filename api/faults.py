"""The side stores (jobs, sessions, usage) a server runs without, and what to do about each."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.errors import DiskFull, StoreCorrupt


@dataclass(frozen=True)
class Fault:
    """A side store the server runs without, and why."""

    store: str
    data_dir: Path
    error: StoreCorrupt | DiskFull

    @property
    def path(self) -> str:
        return self.error.location if isinstance(self.error, StoreCorrupt) else str(self.data_dir)

    @property
    def problem(self) -> str:
        return self.error.reason if isinstance(self.error, StoreCorrupt) else str(self.error)

    @property
    def action(self) -> str:
        if isinstance(self.error, DiskFull):
            return f"free space on the disk of {self.data_dir}, then restart the server"
        return (
            "stop the server, move the file aside (an empty store is made on start) or "
            "restore it from a backup, and start again"
        )
