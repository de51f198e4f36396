"""One settings object: paths and policy from the environment, never from the repo."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class InputLimits:
    """Bounded work per landing file and line, whatever a delivery holds (assets/ingest/lines.py)."""

    max_file_bytes: int = 1 << 30  # a data file, as stored and decompressed
    max_gzip_ratio: float = 100.0  # decompressed / compressed size
    max_line_bytes: int = 1 << 20
    max_json_depth: int = 64


# Fine for simulated data only: outside the demo and the tests, a run refuses it unless
# CWH_ALLOW_DEV_SALT=1 (a published hash salted with a public value can be reversed by guessing).
DEFAULT_PII_SALT = "cwh-dev-salt"


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    data_dir: Path
    pii_salt: str = DEFAULT_PII_SALT
    quarantine_max_rate: float = 0.01
    quarantine_min_records: int = 10
    # Per DuckDB database (ingestion, dbt, gates, publish); beyond it they spill to disk. With
    # Dagster, dbt and their Python (~600 MiB) beside it, a run's process stays within 1.5 GiB.
    duckdb_memory_limit: str = "800MiB"
    # A range of days is run as consecutive runs of at most this many days each: what one run's dbt
    # statements hold grows with its days, so a backfill of any length stays within memory.
    max_days_per_run: int = 7
    # Bounded work per landing file and line, whatever a delivery holds (see assets/ingest/lines.py).
    max_file_bytes: int = InputLimits.max_file_bytes
    max_gzip_ratio: float = InputLimits.max_gzip_ratio
    max_line_bytes: int = InputLimits.max_line_bytes
    max_json_depth: int = InputLimits.max_json_depth

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        """Read CWH_* variables; explicit (non-None) overrides win, e.g. from CLI flags."""
        values = {
            "landing_dir": Path(os.environ.get("CWH_LANDING_DIR", "landing")),
            "data_dir": Path(os.environ.get("CWH_DATA_DIR", "data")),
            "pii_salt": os.environ.get("CWH_PII_SALT", DEFAULT_PII_SALT),
            "quarantine_max_rate": _env("CWH_QUARANTINE_MAX_RATE", cls.quarantine_max_rate, float),
            "quarantine_min_records": _env("CWH_QUARANTINE_MIN_RECORDS", cls.quarantine_min_records, int),
            "duckdb_memory_limit": os.environ.get("CWH_DUCKDB_MEMORY_LIMIT", cls.duckdb_memory_limit),
            "max_days_per_run": _env("CWH_MAX_DAYS_PER_RUN", cls.max_days_per_run, int),
            "max_file_bytes": _env("CWH_MAX_FILE_BYTES", cls.max_file_bytes, parse_bytes),
            "max_gzip_ratio": _env("CWH_MAX_GZIP_RATIO", cls.max_gzip_ratio, float),
            "max_line_bytes": _env("CWH_MAX_LINE_BYTES", cls.max_line_bytes, parse_bytes),
            "max_json_depth": _env("CWH_MAX_JSON_DEPTH", cls.max_json_depth, int),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if values["max_days_per_run"] < 1:
            raise SettingsError(f"CWH_MAX_DAYS_PER_RUN={values['max_days_per_run']!r} must be at least 1")
        values["landing_dir"] = Path(values["landing_dir"]).resolve()
        values["data_dir"] = Path(values["data_dir"]).resolve()
        return cls(**values)

    def require_real_salt(self) -> None:
        """Refuse to hash PII with the built-in salt (anyone can read it in the source), unless told."""
        if self.pii_salt == DEFAULT_PII_SALT and os.environ.get("CWH_ALLOW_DEV_SALT") != "1":
            raise SettingsError(
                "CWH_PII_SALT is not set: email and phone hashes would use the built-in development salt, "
                "which anyone can read in the source. Set a secret CWH_PII_SALT, or CWH_ALLOW_DEV_SALT=1 for "
                "simulated data (make demo does)."
            )

    def duckdb_config(self, temp_directory: Path) -> dict[str, str]:
        """Configuration of every DuckDB database the pipeline opens: without it DuckDB may take 80%
        of the machine's memory per database, and several are open in one run's process."""
        temp_directory.mkdir(parents=True, exist_ok=True)
        return {"memory_limit": self.duckdb_memory_limit, "temp_directory": str(temp_directory)}

    @property
    def ingest_memory_limit(self) -> str:
        """Ingestion's DuckDB limit: three quarters of duckdb_memory_limit. Beside its DuckDB,
        ingestion holds one landing file's bytes and lines in Python (up to twice a file's size
        while its lines are cut), so the process stays near the limit plus what it imported."""
        return f"{parse_bytes(self.duckdb_memory_limit) * 3 // 4 // 2**20}MiB"

    @property
    def input_limits(self) -> InputLimits:
        return InputLimits(self.max_file_bytes, self.max_gzip_ratio, self.max_line_bytes, self.max_json_depth)

    # Where things live under the data dir.
    @property
    def lake_dir(self) -> Path:
        return self.data_dir / "lake"

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse" / "warehouse.duckdb"

    @property
    def scratch_dir(self) -> Path:
        """Where DuckDB databases other than ingestion's and dbt's spill beyond their memory limit."""
        return self.data_dir / "tmp"

    @property
    def published_path(self) -> Path:
        return self.data_dir / "published" / "marts.duckdb"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    def export(self) -> None:
        """Make the settings visible to dbt (env_var) and to child processes."""
        os.environ["CWH_LANDING_DIR"] = str(self.landing_dir)
        os.environ["CWH_DATA_DIR"] = str(self.data_dir)
        os.environ["CWH_PII_SALT"] = self.pii_salt
        os.environ["CWH_QUARANTINE_MAX_RATE"] = str(self.quarantine_max_rate)
        os.environ["CWH_QUARANTINE_MIN_RECORDS"] = str(self.quarantine_min_records)
        os.environ["CWH_DUCKDB_MEMORY_LIMIT"] = self.duckdb_memory_limit
        os.environ["CWH_MAX_DAYS_PER_RUN"] = str(self.max_days_per_run)
        os.environ["CWH_MAX_FILE_BYTES"] = str(self.max_file_bytes)
        os.environ["CWH_MAX_GZIP_RATIO"] = str(self.max_gzip_ratio)
        os.environ["CWH_MAX_LINE_BYTES"] = str(self.max_line_bytes)
        os.environ["CWH_MAX_JSON_DEPTH"] = str(self.max_json_depth)


class SettingsError(ValueError):
    """A setting's value is unusable; the message names the setting."""


def _env(name: str, default, parse):
    text = os.environ.get(name)
    if text is None:
        return default
    what = {float: "a number", int: "a whole number", parse_bytes: "a size (e.g. 1048576, 512MB, 1GiB)"}[parse]
    try:
        value = parse(text)
    except ValueError:
        raise SettingsError(f"{name}={text!r} is not {what}") from None
    if value < 0:
        raise SettingsError(f"{name}={text!r} must not be negative")
    return value


_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "KIB": 2**10, "MIB": 2**20, "GIB": 2**30}


def parse_bytes(text: str) -> int:
    """'1GiB', '512MB', '1048576' -> bytes."""
    number = text.strip().rstrip("bBiIkKmMgG ")
    unit = text.strip()[len(number) :].strip().upper()
    try:
        return int(float(number) * _UNITS[unit])
    except (ValueError, KeyError):
        raise ValueError(f"{text!r} is not a size") from None
