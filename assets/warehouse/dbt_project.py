"""The dbt project as Dagster sees it, parsed once for every data dir, and never stale.

The project is parsed with the profile's `parse` target, which names no data dir (the sources'
lake paths are relative to it too), so one parse in `dbt_project/target/` serves every data dir
and process: dbt's partial-parse state stays valid from run to run and from one data dir to the
next. It is parsed again whenever a model, macro, test or config file is newer than the
manifest, so a fresh clone and an edited model both load without a manual `dbt parse`. The parsed
Manifest object is kept beside it (`parsed_manifest.pickle`), so a process loads it instead of parsing.
"""

import dataclasses
import fcntl
import gc
import os
import pickle
from pathlib import Path

from dagster_dbt import DbtProject

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
PARSE_TARGET = "parse"
_SOURCES = ("models", "macros", "snapshots", "tests", "seeds")

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
# A test between two layers (a mart's relationship to a staging model) runs with the later layer:
# "buildable" selects a test only when everything it references is selected or upstream.
os.environ.setdefault("DBT_INDIRECT_SELECTION", "buildable")

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)

_parsed: dict[float, object] = {}  # newest project file mtime -> dbt's Manifest, per process


def newest_source_mtime() -> float:
    files = [DBT_DIR / "dbt_project.yml", DBT_DIR / "profiles.yml"]
    for folder in _SOURCES:
        files += [p for p in (DBT_DIR / folder).rglob("*") if p.is_file()]
    return max((p.stat().st_mtime for p in files if p.exists()), default=0.0)


def _parse(log_path: Path | None, write_json: bool):
    from dbt.cli.main import dbtRunner

    args = ["parse", "--quiet", "--target", PARSE_TARGET, "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR)]
    args += ["--target-path", str(dbt_project.manifest_path.parent)]
    args += ["--log-path", str(log_path)] if log_path else []
    args += [] if write_json else ["--no-write-json"]
    result = dbtRunner().invoke(args)
    if not result.success:
        raise RuntimeError(f"dbt parse failed in {DBT_DIR}: {result.exception}")
    return result.result


def _pickle_path() -> Path:
    return dbt_project.manifest_path.parent / "parsed_manifest.pickle"


def _stamp(newest: float) -> tuple:
    from dbt.version import __version__

    return (newest, __version__)


def _parse_and_keep(newest: float, log_path: Path | None, write_json: bool):
    """Parse, and keep dbt's Manifest object beside manifest.json for the next process: loading it
    takes ~0.02 s where even a partial parse takes ~1.5 s per process. Written by this project only,
    stamped with the project's newest file and dbt's version; replaced atomically."""
    manifest = _parse(log_path, write_json)
    # Only the Manifest's public fields: its private ones are lookups, caches and a lock that dbt
    # rebuilds on first use (and dbt 1.11's own __reduce_ex__ shifts them by one field).
    fields = {f.name: getattr(manifest, f.name) for f in dataclasses.fields(manifest) if not f.name.startswith("_")}
    tmp = _pickle_path().with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(pickle.dumps((_stamp(newest), fields), protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, _pickle_path())
    return manifest


def _kept(newest: float):
    """The kept Manifest when it was parsed from the project as it is now, else None."""
    from dbt.contracts.graph.manifest import Manifest

    try:
        stamp, fields = pickle.loads(_pickle_path().read_bytes())  # noqa: S301 - written by _parse_and_keep
        return Manifest(**fields) if stamp == _stamp(newest) else None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        return None


def ensure_manifest(newest: float | None = None) -> Path:
    """manifest.json (and dbt's partial-parse state and parsed Manifest beside it), parsed again if
    any project file is newer (`newest`: the newest project file's mtime, when the caller has it).
    A lock keeps processes starting together (test workers, runs) from parsing at once."""
    newest = newest_source_mtime() if newest is None else newest
    manifest = dbt_project.manifest_path
    fresh = lambda: manifest.exists() and manifest.stat().st_mtime >= newest  # noqa: E731
    if fresh():
        return manifest
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with open(manifest.parent / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not fresh():
            _parsed[newest] = _parse_and_keep(newest, None, write_json=True)
    return manifest


def parsed_manifest(log_path: Path | None = None):
    """dbt's parsed project, for dbtRunner(manifest=...): once per process, for any data dir, from
    the Manifest kept by the last parse, or parsed from the shared partial-parse state."""
    key = newest_source_mtime()
    ensure_manifest(key)
    if key not in _parsed:
        _parsed.clear()
        kept = _kept(key)
        if kept is None:
            with open(dbt_project.manifest_path.parent / ".parse.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                kept = _kept(key) or _parse_and_keep(key, log_path, write_json=False)
        _parsed[key] = kept
        # The parsed project and the modules loaded by now live as long as the process: frozen,
        # they are left out of the garbage collector's full passes, which otherwise walk all of
        # them several times a run (~1.5 s of a near-empty day). Frozen objects are still freed
        # when their last reference goes; only cycles among them are no longer looked for.
        gc.freeze()
    return _parsed[key]
