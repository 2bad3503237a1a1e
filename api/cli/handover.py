"""A CLI write on a served data dir, handed to the server that owns it (`api.owner`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from api.errors import DataDirBusy
from api.settings import Settings

POLL_SECONDS = 0.5
TIMEOUT_SECONDS = 30.0  # per request; the job itself may run as long as it needs


def _client(settings: Settings, url: str) -> Any:
    import httpx

    headers = {}
    if settings.api_key is not None:
        headers["Authorization"] = f"Bearer {settings.api_key.get_secret_value()}"
    return httpx.Client(base_url=url, headers=headers, timeout=TIMEOUT_SECONDS)


def _refused(busy: DataDirBusy, why: str) -> click.ClickException:
    return click.ClickException(f"{busy}. The server refused the hand-over: {why}")


def _answer(busy: DataDirBusy, response: Any) -> dict[str, Any]:
    """The JSON body of a 2xx answer; anything else ends the command, with the reason."""
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 300:
        error = body.get("error") or {}
        raise _refused(busy, f"HTTP {response.status_code}: {error.get('message', response.text)}")
    return body


def ingest(
    busy: DataDirBusy, settings: Settings, paths: list[Path], *, prune: bool
) -> dict[str, Any]:
    """Run the ingest as a job of the server (`POST /v1/ingest`) and wait for it; its report."""
    import httpx

    url = busy.holder.url
    if not url:
        raise click.ClickException(str(busy))
    click.echo(
        f"data dir {settings.data_dir} is served on {url}: handing the ingest to it", err=True
    )
    absolute = [str(p.expanduser().resolve()) for p in paths]
    try:
        with _client(settings, url) as client:
            job = _answer(busy, client.post("/v1/ingest", json={"paths": absolute, "prune": prune}))
            job = job["job"]
            while job["status"] in ("queued", "running"):
                time.sleep(POLL_SECONDS)
                job = _answer(busy, client.get(f"/v1/jobs/{job['id']}"))
    except httpx.HTTPError as e:
        raise _refused(busy, f"cannot reach it: {e}") from e
    if job["status"] != "done" or job.get("report") is None:
        raise click.ClickException(
            f"the server's ingest job {job['id']} failed: {job.get('error')}"
        )
    report: dict[str, Any] = job["report"]
    return report


def delete(busy: DataDirBusy, settings: Settings, doc_id: str) -> int:
    """Delete through the server (`DELETE /v1/documents/{doc_id}`); the chunks deleted."""
    import httpx

    url = busy.holder.url
    if not url:
        raise click.ClickException(str(busy))
    try:
        with _client(settings, url) as client:
            body = _answer(busy, client.delete(f"/v1/documents/{doc_id}"))
    except httpx.HTTPError as e:
        raise _refused(busy, f"cannot reach it: {e}") from e
    return int(body["chunks_deleted"])
