"""Dagster's SQLite event log, keeping its database connections open between events.

The stock SqliteEventLogStorage builds a SQLAlchemy engine and opens a new SQLite connection for
every event it stores, often twice (the run's database and the cross-run index), and again to
ask whether a table, a column or a data migration exists. A daily run stores ~450 events (a check
result per dbt test and Soda check, a materialization per asset, their planned events), each of
which would open connections. This subclass keeps one engine per database, and only for the few
most recent runs' databases, and remembers what the schema has. Its connections commit
without waiting for the disk (SQLite's WAL with synchronous=NORMAL: a killed process loses
nothing, only a power cut can lose the last events), where each event's fsync cost ~1.5 ms. Files,
schema and behaviour are otherwise Dagster's own: the UI, the daemon and `dagster` CLI read them as
usual.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial

from dagster import Field, StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SQLITE_BUSY_TIMEOUT_SECONDS, SqliteEventLogStorage
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

_OPEN_DATABASES = 4  # the index and the last few runs' databases


def _no_sync_per_commit(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage with one long-lived engine per shard (LRU of a few shards)."""

    def __init__(self, base_dir: str | None = None, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._schema_facts: set[tuple[str, str]] = set()  # (kind, name) known to exist
        home = os.environ.get("DAGSTER_HOME", ".")
        super().__init__(base_dir=base_dir or os.path.join(home, "history", "runs"), inst_data=inst_data)

    @classmethod
    def config_type(cls):
        return {
            "base_dir": Field(
                StringSource,
                is_required=False,
                description="Default: $DAGSTER_HOME/history/runs, where Dagster's own SQLite storage keeps it.",
            )
        }

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            # check_same_thread off: the connection may serve the UI's watcher thread too; every use
            # is serialised by the storage's own lock.
            engine = create_engine(
                self.conn_string_for_shard(shard),
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            event.listen(engine, "connect", _no_sync_per_commit)
        self._engines[shard] = engine
        while len(self._engines) > _OPEN_DATABASES:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    # Schema facts, asked again for every asset event stored and every asset record read (each
    # dbt test and Soda check result does both): whether a table exists, whether a data migration
    # has run, whether the asset table has a column. The stock versions connect to, query or
    # inspect the index database each time. Migrations only ever add them, so a yes is kept.
    def has_table(self, table_name: str) -> bool:
        return self._known("table", table_name, super().has_table)

    def has_secondary_index(self, name: str) -> bool:
        return self._known("index", name, super().has_secondary_index)

    def _has_asset_key_col_on_connection(self, conn: Connection, column_name: str) -> bool:
        return self._known("column", column_name, partial(super()._has_asset_key_col_on_connection, conn))

    def _known(self, kind: str, name: str, ask: Callable[[str], bool]) -> bool:
        if (kind, name) not in self._schema_facts and ask(name):
            self._schema_facts.add((kind, name))
        return (kind, name) in self._schema_facts

    def wipe(self) -> None:
        self._schema_facts.clear()
        super().wipe()

    def dispose(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
        super().dispose()
