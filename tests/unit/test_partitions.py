"""Which delivery days a run's warehouse steps and gates work on."""

from assets.partitions import FULL_REFRESH_TAG, is_full_refresh, run_delivery_days


def test_a_single_partition_run_works_on_its_day():
    assert run_delivery_days({"dagster/partition": "2026-11-03"}) == ["2026-11-03"]


def test_a_range_run_works_on_every_day_of_the_range():
    tags = {"dagster/asset_partition_range_start": "2026-10-30", "dagster/asset_partition_range_end": "2026-11-02"}
    assert run_delivery_days(tags) == ["2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02"]


def test_a_full_refresh_works_on_everything():
    tags = {"dagster/partition": "2026-11-03", FULL_REFRESH_TAG: "true"}
    assert is_full_refresh(tags) and run_delivery_days(tags) == []
    assert not is_full_refresh({FULL_REFRESH_TAG: "false"})


def test_an_unpartitioned_run_works_on_everything():
    assert run_delivery_days({}) == []
