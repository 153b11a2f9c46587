"""Core statements compiled once and handed to the database driver as they are.

`Connection.execute` of a statement SQLAlchemy has cached still spends some 10 to 20 µs of Python
on every call (the cache key, the parameters, the result's metadata): as much as SQLite takes to run
a one-row UPDATE. Handing in a quiz runs five such statements, four of them while every other
writer of an SQLite file waits (`database.one_writer_at_a_time`). A `DriverStatement` compiles
its statement once per dialect and runs it with `Connection.exec_driver_sql`: the same SQL and the
same values SQLAlchemy would send (each through its type's bind processor, so a date is stored as
the ORM stores it), in the connection's transaction, with the engine's events (statement counts,
logging). Rows come back through the selected columns' result processors, as plain tuples.
tests/web/test_driver_statements.py keeps its rows and writes equal to those of `Connection.execute`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection, CursorResult
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement


class _Compiled:
    """A statement compiled for one dialect: its SQL, how to build its parameters, its rows' processors."""

    __slots__ = ("sql", "positional", "names", "defaults", "processors", "row_processors")

    def __init__(self, statement: ClauseElement, dialect: Dialect):
        compiled = statement.compile(dialect=dialect)
        if compiled.escaped_bind_names or any(b.expanding or b.literal_execute for b in compiled.binds.values()):
            raise ValueError("a DriverStatement takes plain bound values only")
        # a column default or onupdate worked out in Python is SQLAlchemy's execution's to fill in
        if getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None):
            raise ValueError("a DriverStatement must name every column that has a Python-side default")
        self.sql = str(compiled)
        self.positional = compiled.positiontup is not None
        self.names: list[str] = list(compiled.positiontup if self.positional else compiled.binds)
        # values fixed in the statement (`status == "open"`): the caller names only the rest
        self.defaults = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}
        self.processors: dict[str, Callable] = {}
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors[name] = processor
        columns = getattr(statement, "selected_columns", ())
        processors = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]
        # (position, processor) of the columns that have one: most values come from the driver as they are
        self.row_processors = [(i, p) for i, p in enumerate(processors) if p is not None]

    def parameters(self, given: Mapping[str, Any]) -> tuple | dict:
        # each named value through its processor once, however often the SQL repeats it (a multi-row
        # INSERT names `now` in every row)
        values = {**self.defaults, **given}
        for name, processor in self.processors.items():
            values[name] = processor(values[name])
        if self.positional:
            return tuple(map(values.__getitem__, self.names))
        return {name: values[name] for name in self.names}


class DriverStatement:
    """A Core statement run through `Connection.exec_driver_sql` (see the module's docstring)."""

    def __init__(self, statement: ClauseElement):
        self.statement = statement
        self._compiled: dict[tuple, _Compiled] = {}
        self._lock = threading.Lock()

    def _for(self, dialect: Dialect) -> _Compiled:
        # per dialect class, not per engine: the app configures every engine of a dialect alike (its
        # processors, e.g. the JSON serializer, are the defaults), and tests make many engines
        key = (type(dialect), dialect.paramstyle)
        found = self._compiled.get(key)
        if found is None:
            with self._lock:
                found = self._compiled.setdefault(key, _Compiled(self.statement, dialect))
        return found

    def execute(self, connection: Connection, parameters: Mapping[str, Any]) -> CursorResult:
        compiled = self._for(connection.dialect)
        return connection.exec_driver_sql(compiled.sql, compiled.parameters(parameters))

    def rows(self, connection: Connection, parameters: Mapping[str, Any]) -> list[tuple]:
        """Every row, each value as `Connection.execute` would give it."""
        compiled = self._for(connection.dialect)
        rows = connection.exec_driver_sql(compiled.sql, compiled.parameters(parameters)).fetchall()
        processors = compiled.row_processors
        if not processors:
            return [tuple(row) for row in rows]
        processed = []
        for row in rows:
            values = list(row)
            for position, processor in processors:
                values[position] = processor(values[position])
            processed.append(tuple(values))
        return processed
