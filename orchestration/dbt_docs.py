"""`cwh docs`: dbt's documentation site for the warehouse, generated and served offline.

`dbt docs generate` writes the site (index.html, manifest.json, catalog.json, and with --static a
single self-contained static_index.html) into <data-dir>/dbt_docs; the catalog (column types, row
counts) is read from the data dir's warehouse. The site is served from that folder on 127.0.0.1
by Python's own HTTP server: nothing is fetched from the internet.
"""

from __future__ import annotations

import functools
import http.server
import os
import signal
import sys
from pathlib import Path

from assets.settings import Settings


class DocsError(Exception):
    pass


def docs_dir(settings: Settings) -> Path:
    return settings.data_dir / "dbt_docs"


def generate(settings: Settings) -> Path:
    """Generate the docs site from the project and the data dir's warehouse; returns its folder."""
    if not settings.warehouse_path.exists():
        raise DocsError(f"no warehouse at {settings.warehouse_path}: run a day first (`cwh run` or `make demo`)")
    from dbt.cli.main import dbtRunner

    from assets.warehouse.dbt_project import DBT_DIR, parsed_manifest

    target = docs_dir(settings)
    settings.export()
    # No delivery days: models compile their full-rebuild form, without querying the warehouse's scopes.
    os.environ["CWH_DELIVERY_DAYS"] = ""
    log_path = settings.data_dir / "logs"
    result = dbtRunner(manifest=parsed_manifest(log_path)).invoke(
        [
            "docs",
            "generate",
            "--static",
            "--quiet",
            "--project-dir",
            str(DBT_DIR),
            "--profiles-dir",
            str(DBT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(log_path),
        ]
    )
    if not result.success:
        raise DocsError(f"dbt docs generate failed: {result.exception or 'see ' + str(settings.data_dir / 'logs')}")
    return target


def serve(folder: Path, port: int, host: str = "127.0.0.1") -> None:
    """Serve `folder` until Ctrl-C or SIGTERM."""

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # the base class's signature
            pass

    server = http.server.ThreadingHTTPServer((host, port), functools.partial(QuietHandler, directory=str(folder)))

    def stop(_signum, _frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    print(f"dbt docs at http://{host}:{server.server_address[1]}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
    print("stopped", file=sys.stderr)
