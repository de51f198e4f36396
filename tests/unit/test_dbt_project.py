"""The parsed dbt project a process loads: kept beside manifest.json, used only while it is current."""

import pickle

from dbt.cli.main import dbtRunner

from assets.warehouse import dbt_project


def test_the_kept_manifest_builds_like_the_parsed_one_and_only_while_current(tmp_path, monkeypatch):
    path = tmp_path / "manifest.pickle"
    monkeypatch.setattr(dbt_project, "_pickle_path", lambda: path)
    parse = dbt_project._parse

    def full_parse(*args):
        """As a parse that re-read files leaves it: its lookups built (a partial one may not)."""
        manifest = parse(*args)
        assert manifest.ref_lookup and manifest.source_lookup and manifest.doc_lookup
        return manifest

    monkeypatch.setattr(dbt_project, "_parse", full_parse)
    newest = dbt_project.newest_source_mtime()
    parsed = dbt_project._parse_and_keep(newest, tmp_path / "logs", write_json=False)
    kept = dbt_project._kept(newest)
    assert kept is not None and kept is not parsed
    assert sorted(kept.nodes) == sorted(parsed.nodes) and len(kept.nodes) > 50
    assert sorted(kept.macros) == sorted(parsed.macros)

    # It compiles models through source() and ref() on a fresh warehouse (a full rebuild's SQL).
    data = tmp_path / "data"
    (data / "warehouse").mkdir(parents=True)
    monkeypatch.setenv("CWH_DATA_DIR", str(data))
    monkeypatch.setenv("CWH_DELIVERY_DAYS", "")
    common = ["--project-dir", str(dbt_project.DBT_DIR), "--profiles-dir", str(dbt_project.DBT_DIR)]
    compiled = dbtRunner(manifest=kept).invoke(
        ["compile", "--quiet", "--select", "stg_tiktok__links", "fct_order_items", *common]
        + ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    )
    assert compiled.success, compiled.exception
    sql = (
        tmp_path / "target" / "compiled" / "creator_warehouse" / "models" / "marts" / "fct_order_items.sql"
    ).read_text()
    assert '"stg_tiktok__affiliate_orders"' in sql

    # the same file under another stamp (an older project or another dbt version), or damaged
    fields = pickle.loads(path.read_bytes())[1]
    path.write_bytes(pickle.dumps(((newest - 1, dbt_project._stamp(newest)[1]), fields)))
    assert dbt_project._kept(newest) is None
    path.write_bytes(pickle.dumps(((newest, "0.0.0"), fields)))
    assert dbt_project._kept(newest) is None
    path.write_bytes(b"not a pickle")
    assert dbt_project._kept(newest) is None
    path.unlink()
    assert dbt_project._kept(newest) is None
