"""The parsed dbt project a process loads: kept beside manifest.json, used only while it is current."""

import pickle

from assets.warehouse import dbt_project


def test_the_kept_manifest_is_the_parsed_project_and_only_while_current(tmp_path, monkeypatch):
    newest = dbt_project.newest_source_mtime()
    parsed = dbt_project.parsed_manifest()
    kept = dbt_project._kept(newest)
    assert kept is not None and sorted(kept.nodes) == sorted(parsed.nodes) and len(kept.nodes) > 50
    assert sorted(kept.macros) == sorted(parsed.macros)

    # the same file under another stamp (an older project or another dbt version), or damaged
    path = tmp_path / "manifest.pickle"
    monkeypatch.setattr(dbt_project, "_pickle_path", lambda: path)
    path.write_bytes(pickle.dumps(((newest - 1, dbt_project._stamp(newest)[1]), kept)))
    assert dbt_project._kept(newest) is None
    path.write_bytes(pickle.dumps(((newest, "0.0.0"), kept)))
    assert dbt_project._kept(newest) is None
    path.write_bytes(b"not a pickle")
    assert dbt_project._kept(newest) is None
    path.unlink()
    assert dbt_project._kept(newest) is None
