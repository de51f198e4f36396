"""Every gate outcome of a run, kept beside the data so publish_log can say what a publish rests on."""

import json
from pathlib import Path

from assets.gates.soda import GateResult


def _path(data_dir: Path, run_id: str) -> Path:
    return Path(data_dir) / "gates" / f"{run_id}.jsonl"


def record(data_dir: Path, run_id: str, stage: str, gate: GateResult) -> None:
    path = _path(data_dir, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {
        "stage": stage,
        "contract": gate.contract,
        "passed": gate.passed,
        "checks": len(gate.checks),
        "failures": [c.describe() for c in gate.failures] + gate.errors,
        "seconds": gate.seconds,
    }
    with path.open("a") as f:
        f.write(json.dumps(entry, sort_keys=True) + "\n")


def read(data_dir: Path, run_id: str) -> list[dict]:
    path = _path(data_dir, run_id)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
