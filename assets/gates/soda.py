"""Soda v4 data contracts as gates: verify a contract in-process and summarise the outcome.

Soda is imported lazily (its import costs seconds) and runs on a connection the caller owns, so a
gate reads exactly the tables of the step it audits. A check that could not be evaluated fails the
gate: a gate that did not look must not pass.
"""

from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CONTRACTS_DIR = Path(__file__).resolve().parents[2] / "soda" / "contracts"

os.environ.setdefault("SODA_CORE_TELEMETRY_ENABLED", "false")


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    column: str | None
    outcome: str  # PASSED | WARNED | FAILED | NOT_EVALUATED
    diagnostics: dict
    value: object = None  # the measured value, for metric checks

    @property
    def ok(self) -> bool:
        return self.outcome in ("PASSED", "WARNED")

    def describe(self) -> str:
        where = f"{self.column}: " if self.column else ""
        figures = ", ".join(f"{k}={v}" for k, v in self.diagnostics.items() if not k.endswith("rows_tested"))
        measured = f" measured {self.value}" if self.value is not None else ""
        return f"{where}{self.name} -> {self.outcome}{measured}" + (f" ({figures})" if figures else "")


@dataclass
class GateResult:
    contract: str
    checks: list[CheckOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0  # wall time of the verification (ms precision): which gate costs what

    @property
    def passed(self) -> bool:
        return not self.errors and bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[CheckOutcome]:
        return [c for c in self.checks if not c.ok]

    def summary(self) -> str:
        if self.passed:
            return f"{self.contract}: {len(self.checks)} checks passed"
        lines = (
            [f"{self.contract}: FAILED"]
            + [f"  - {c.describe()}" for c in self.failures]
            + [f"  - error: {e}" for e in self.errors]
        )
        return "\n".join(lines)


def verify(con, contract_path: Path, data_source_name: str, variables: dict[str, str] | None = None) -> GateResult:
    """Verify one contract file against tables visible on the DuckDB connection `con`.

    `variables` fill the contract's declared variables (others are ignored).
    """
    import soda_core  # noqa: F401  (initialises plugins before the DuckDB data source is imported)
    from soda_core.contracts.api.verify_api import verify_contract_locally
    from soda_duckdb.common.data_sources.duckdb_data_source import DuckDBDataSourceImpl

    started = time.monotonic()
    data_source = DuckDBDataSourceImpl.from_existing_cursor(con, name=data_source_name)
    declared = _declared_variables(contract_path, contract_path.stat().st_mtime_ns)
    session = verify_contract_locally(
        data_sources=[data_source],
        contract_file_path=str(contract_path),
        variables={k: v for k, v in (variables or {}).items() if k in declared},
    )
    gate = GateResult(contract=contract_path.stem)
    results = session.contract_verification_results
    if not results:
        gate.errors.append(f"{contract_path}: the contract produced no verification result")
    for result in results:
        for c in result.check_results:
            gate.checks.append(
                CheckOutcome(
                    name=c.check.name,
                    column=c.check.column_name or None,
                    outcome=c.outcome.name,
                    diagnostics=dict(c.diagnostic_metric_values or {}),
                    value=c.threshold_value,
                )
            )
    if session.has_errors:
        gate.errors.append(session.get_errors_str())
    gate.seconds = round(time.monotonic() - started, 3)
    return gate


@functools.lru_cache(maxsize=256)
def _declared_variables(contract_path: Path, _mtime_ns: int) -> frozenset[str]:
    """The variables a contract declares (a run verifies each contract once per feed-day or stage)."""
    return frozenset(yaml.safe_load(contract_path.read_text()).get("variables") or {})
