"""The dbt project as Dagster sees it, with a manifest that is never stale.

The manifest is parsed on first load and again whenever a model, macro, test or config file is
newer than it, so a fresh clone and an edited model both load without a manual `dbt parse`.
"""

import os
from pathlib import Path

from dagster_dbt import DbtProject

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
_SOURCES = ("models", "macros", "snapshots", "tests", "seeds")

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
# A test between two layers (a mart's relationship to a staging model) runs with the later layer:
# "buildable" selects a test only when everything it references is selected or upstream.
os.environ.setdefault("DBT_INDIRECT_SELECTION", "buildable")

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)


def newest_source_mtime() -> float:
    files = [DBT_DIR / "dbt_project.yml", DBT_DIR / "profiles.yml"]
    for folder in _SOURCES:
        files += [p for p in (DBT_DIR / folder).rglob("*") if p.is_file()]
    return max((p.stat().st_mtime for p in files if p.exists()), default=0.0)


def ensure_manifest() -> Path:
    manifest = dbt_project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < newest_source_mtime():
        from dbt.cli.main import dbtRunner

        result = dbtRunner().invoke(["parse", "--quiet", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR)])
        if not result.success:
            raise RuntimeError(f"dbt parse failed in {DBT_DIR}: {result.exception}")
    return manifest
