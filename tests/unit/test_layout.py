"""Imports flow one way: orchestration -> assets; within assets, a stage imports only the stages
before it (and the shared modules); the simulator knows neither (it stands in for upstream)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Each package of assets/ may import the ones listed before it, never those after it.
ORDER = ["shared", "gates", "ingest", "warehouse", "experiments", "publish", "review"]
SHARED = {"feeds", "settings", "partitions", "pending_days", "progress", "json_record", "marts_builds"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "assets" or len(parts) < 2:
        return None
    return "shared" if parts[1] in SHARED else parts[1] if parts[1] in ORDER else None


def test_assets_import_only_earlier_stages_and_never_orchestration():
    problems = []
    for path in sorted((ROOT / "assets").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        own = stage_of(module) or "shared"
        for name in imported_modules(path):
            if name.split(".")[0] == "orchestration":
                problems.append(f"{module} imports {name}")
            other = stage_of(name)
            if other and ORDER.index(other) > ORDER.index(own):
                problems.append(f"{module} ({own}) imports {name} ({other}), a later stage")
    assert not problems, "\n".join(problems)


def test_the_simulator_knows_neither_assets_nor_orchestration():
    for path in sorted((ROOT / "simulator").rglob("*.py")):
        bad = {n for n in imported_modules(path) if n.split(".")[0] in ("assets", "orchestration")}
        assert not bad, f"{path}: {bad}"


def test_every_package_says_what_lives_there():
    for init in sorted((ROOT / "assets").rglob("__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc and len(doc) > 80, f"{init} needs an opening docstring saying what lives there"
