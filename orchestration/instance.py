"""The Dagster instance under the data dir, so runs, logs and the UI share one history."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

INSTANCE_TEMPLATE = Path(__file__).with_name("dagster.yaml")


def prepare_dagster_home(data_dir: Path) -> Path:
    home = Path(data_dir) / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(INSTANCE_TEMPLATE, home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    return home


def get_instance(data_dir: Path):
    from dagster import DagsterInstance

    prepare_dagster_home(data_dir)
    return DagsterInstance.get()
