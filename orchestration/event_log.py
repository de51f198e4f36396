"""Dagster's SQLite event log, keeping its database connections open between events.

The stock SqliteEventLogStorage builds a SQLAlchemy engine and opens a new SQLite connection for
every event it stores, often twice (the run's database and the cross-run index), and again to
ask whether the asset-check table exists. A daily run stores ~450 events (a check result per dbt
test and Soda check, a materialization per asset, their planned events), each of which would
open connections. This subclass keeps one
engine per database, and only for the few most recent runs' databases. Its connections commit
without waiting for the disk (SQLite's WAL with synchronous=NORMAL: a killed process loses
nothing, only a power cut can lose the last events), where each event's fsync cost ~1.5 ms. Files,
schema and behaviour are otherwise Dagster's own: the UI, the daemon and `dagster` CLI read them as
usual.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

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
        self._tables: set[str] = set()
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

    def has_table(self, table_name: str) -> bool:
        # Asked on every asset check event (one per dbt test and Soda check); the stock version
        # builds an engine and connects each time. A table, once there, stays.
        if table_name not in self._tables and super().has_table(table_name):
            self._tables.add(table_name)
        return table_name in self._tables

    def dispose(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
        super().dispose()
