"""Fast bulk inserts for the demo generator: explicit ids, plain tuples, no model objects.

``bulk_create`` spends ~90 µs per owner row building and preparing model
instances; a million households need ~5 million rows. ``FastTable`` skips the
ORM for the big tables: the generator builds rows of database-ready values
(ints, str, bool; dates as ISO strings, decimals as strings, UUIDs as 32 hex
digits, see ``TimeOrderedIds``), ``allocate_ids`` reserves primary keys so
children can point at their parents without reading anything back, and
``insert`` writes with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL).

Columns the generator does not give are filled from the model: ``auto_now`` /
``auto_now_add`` get the current time, other fields their default (once per
insert; a callable default is called per row), nullable fields NULL. So a new
field with a default does not break the generator; a new required field without
one fails loudly here.

Must run inside ``transaction.atomic()``: on SQLite, Django opens write
transactions with ``BEGIN IMMEDIATE`` (see settings), so no other writer can take
ids between ``allocate_ids`` and ``insert``; on PostgreSQL the ids come from the
table's sequence and are safe under concurrency anyway.
"""

import os
import struct
import time
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import Model
from django.utils import timezone


class TimeOrderedIds:
    """Public ids for bulk rows: UUIDs in the version-7 layout (48-bit Unix milliseconds,
    a 12-bit sequence, 62 random bits), strictly increasing within a run.

    Random (version-4) keys land all over the unique ``public_id`` indexes, so every
    transaction rewrites most of their pages (docs/demo-data.md, "Timing", has the
    figures); increasing keys append at the right edge. They stay unguessable (62
    random bits) and are ordinary UUIDs to Django and the API.
    Returned as 32 hex digits: what UUIDField stores on SQLite; PostgreSQL parses it.
    """

    def __init__(self) -> None:
        self.ms = 0
        self.seq = 0

    def take(self, n: int) -> list[str]:
        now = time.time_ns() // 1_000_000
        if now > self.ms:
            self.ms, self.seq = now, 0
        out = []
        ms, seq = self.ms, self.seq
        for rand in struct.unpack(f">{n}Q", os.urandom(8 * n)):
            if seq > 0xFFF:  # more than 4,096 in a millisecond: borrow the next one
                ms, seq = ms + 1, 0
            high = (ms << 16) | 0x7000 | seq
            out.append(f"{high:016x}{(rand & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000:016x}")
            seq += 1
        self.ms, self.seq = ms, seq
        return out


class FastTable:
    """Plain-tuple inserts into one model's table.

    ``columns`` are attnames (``company_id``, not ``company``) in the order of the
    values in each row; include ``"id"`` to insert explicit keys.
    """

    def __init__(self, model: type[Model], columns: Sequence[str], using: str = "default"):
        self.model = model
        self.using = using
        meta = model._meta
        by_attname = {f.attname: f for f in meta.concrete_fields}
        unknown = [c for c in columns if c not in by_attname]
        if unknown:
            raise ImproperlyConfigured(f"{meta.label} has no columns {unknown}")
        self.given = [by_attname[c].column for c in columns]
        self.extra = [
            f for f in meta.concrete_fields if f.attname not in columns and not f.primary_key
        ]
        for field in self.extra:
            auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            if not (auto or field.has_default() or field.null or field.empty_strings_allowed):
                raise ImproperlyConfigured(
                    f"The demo generator gives no value for required field {meta.label}."
                    f"{field.name}; add it to the generator."
                )
        self.table = meta.db_table
        self._sequence: str | None = None

    @property
    def connection(self):
        return connections[self.using]

    def _extra_values(self) -> tuple[list[Any], list[int]]:
        """Per-insert constants for the columns not given, and which of them vary per row."""
        connection = self.connection
        now = timezone.now()
        values, per_row = [], []
        for i, field in enumerate(self.extra):
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = field.get_db_prep_save(now, connection)
            elif field.has_default() and callable(field.default):
                per_row.append(i)
                value = None
            else:
                value = field.get_db_prep_save(field.get_default(), connection)
            values.append(value)
        return values, per_row

    def allocate_ids(self, n: int) -> Sequence[int]:
        """Reserve ``n`` primary keys (call inside the transaction that inserts them)."""
        connection = self.connection
        if not connection.in_atomic_block:
            raise RuntimeError("allocate_ids must run inside transaction.atomic()")
        if n <= 0:
            return range(0)
        qn = connection.ops.quote_name
        pk = self.model._meta.pk.column
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"SELECT max({qn(pk)}) FROM {qn(self.table)}")
                highest = cursor.fetchone()[0] or 0
                # AUTOINCREMENT tables never reuse a key, even of deleted rows.
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
                row = cursor.fetchone()
                start = max(highest, row[0] if row else 0) + 1
                return range(start, start + n)
            if connection.vendor == "postgresql":
                if self._sequence is None:
                    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [self.table, pk])
                    self._sequence = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT nextval(%s) FROM generate_series(1, %s)", [self._sequence, n]
                )
                return [row[0] for row in cursor.fetchall()]
        raise NotImplementedError(f"demo generation does not support {connection.vendor}")

    def insert(self, rows: Iterable[tuple]) -> int:
        """Write ``rows`` (tuples in ``columns`` order); returns how many."""
        connection = self.connection
        extra, per_row = self._extra_values()
        if per_row:
            fields = self.extra

            def complete(row: tuple) -> tuple:
                values = list(extra)
                for i in per_row:
                    values[i] = fields[i].get_db_prep_save(fields[i].get_default(), connection)
                return row + tuple(values)

            rows = (complete(row) for row in rows)
        elif extra:
            tail = tuple(extra)
            rows = (row + tail for row in rows)
        columns = self.given + [f.column for f in self.extra]
        qn = connection.ops.quote_name
        column_sql = ", ".join(qn(c) for c in columns)
        count = 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor  # the psycopg cursor, in Django's transaction
                with raw.copy(f"COPY {qn(self.table)} ({column_sql}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            else:
                rows = list(rows)
                placeholders = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {qn(self.table)} ({column_sql}) VALUES ({placeholders})", rows
                )
                count = len(rows)
        return count
