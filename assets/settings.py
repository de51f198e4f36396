"""One settings object: paths and policy from the environment, never from the repo."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PII_SALT = "cwh-dev-salt"  # fine for simulated data; set CWH_PII_SALT in production


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    data_dir: Path
    pii_salt: str = DEFAULT_PII_SALT
    quarantine_max_rate: float = 0.01
    quarantine_min_records: int = 10
    duckdb_memory_limit: str = "1GB"  # per DuckDB database (ingestion, dbt's warehouse); beyond it they spill to disk

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        """Read CWH_* variables; explicit (non-None) overrides win, e.g. from CLI flags."""
        env = os.environ
        values = dict(
            landing_dir=Path(env.get("CWH_LANDING_DIR", "landing")),
            data_dir=Path(env.get("CWH_DATA_DIR", "data")),
            pii_salt=env.get("CWH_PII_SALT", DEFAULT_PII_SALT),
            quarantine_max_rate=float(env.get("CWH_QUARANTINE_MAX_RATE", "0.01")),
            quarantine_min_records=int(env.get("CWH_QUARANTINE_MIN_RECORDS", "10")),
            duckdb_memory_limit=env.get("CWH_DUCKDB_MEMORY_LIMIT", "1GB"),
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        values["landing_dir"] = Path(values["landing_dir"]).resolve()
        values["data_dir"] = Path(values["data_dir"]).resolve()
        return cls(**values)

    # Where things live under the data dir.
    @property
    def lake_dir(self) -> Path:
        return self.data_dir / "lake"

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse" / "warehouse.duckdb"

    @property
    def published_path(self) -> Path:
        return self.data_dir / "published" / "marts.duckdb"

    def export(self) -> None:
        """Make the settings visible to dbt (env_var) and to child processes."""
        os.environ["CWH_LANDING_DIR"] = str(self.landing_dir)
        os.environ["CWH_DATA_DIR"] = str(self.data_dir)
        os.environ["CWH_PII_SALT"] = self.pii_salt
        os.environ["CWH_QUARANTINE_MAX_RATE"] = str(self.quarantine_max_rate)
        os.environ["CWH_QUARANTINE_MIN_RECORDS"] = str(self.quarantine_min_records)
        os.environ["CWH_DUCKDB_MEMORY_LIMIT"] = self.duckdb_memory_limit
