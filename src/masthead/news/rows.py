"""Model instances from hand-written SQL, as ``Model.objects.raw()`` builds them, for the hottest pages.

``raw()`` works out, for every query it runs, which column is which field and how to convert
each value: 0.12 ms a query, four times what SQLite takes to answer a lookup by key. Here that
is worked out once per statement and database connection, and each row is converted with the
ORM's own converters and built as ``Model.from_db`` builds it. Columns that are not fields of the
model become attributes of the instance, as with ``raw()``.
"""

import weakref
from functools import partial

from django.db import connections, router
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.db.models.sql import Query

_readers: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def table(model) -> str:
    """The quoted name of ``model``'s table (a many-to-many's ``through`` model included), from its ``_meta``.

    SQL written by hand names tables through this, so a renamed table or app cannot leave a
    statement reading the old one."""
    return '"{}"'.format(model._meta.db_table.replace('"', '""'))


def tuples(sql: str, params=(), *, using: str | None = None) -> list[tuple]:
    """The rows of ``sql`` as plain tuples, for a question whose answer is not a model."""
    with connections[using or router.db_for_read(None)].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fetch(model, sql: str, params=(), *, using: str | None = None) -> list:
    """The instances of ``model`` the rows of ``sql`` describe; the primary key must be one of the columns.

    Read from the database the routers pick for ``model`` (a replica for anonymous readers) unless ``using`` says.
    """
    connection = connections[using or router.db_for_read(model)]  # this thread's own connection
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = tuple(column[0] for column in cursor.description)
        rows = cursor.fetchall()
    if not rows:
        return []
    build = _readers.setdefault(connection, {}).get((model, sql, columns))
    if build is None:
        build = _readers[connection][(model, sql, columns)] = _reader(model, columns, connection)
    bare = _may_build_bare(model)
    return [build(row, bare) for row in rows]


def instance(model, alias: str, names: list[str], values: list):
    """``model.from_db(alias, names, values)``, for a row read by hand (``names`` in the model's field order)."""
    if _may_build_bare(model):
        return _bare(model, alias, names, values)
    return model.from_db(alias, names, values)


def _may_build_bare(model) -> bool:
    """Whether ``_bare`` builds ``model`` as ``from_db`` would: Django's own ``__init__`` and
    ``from_db``, and no receiver of the signals ``__init__`` sends."""
    return (model.__init__ is Model.__init__ and model.from_db.__func__ is Model.from_db.__func__
            and not (pre_init.has_listeners(model) or post_init.has_listeners(model)))


def _reader(model, columns: tuple[str, ...], connection):
    by_column = {field.column: field for field in model._meta.concrete_fields}
    if model._meta.pk.column not in columns:
        raise ValueError(f"{model.__name__} rows need the primary key column {model._meta.pk.column!r}")
    # Fields in the model's own order, as from_db expects them; the other columns are extras.
    order = [columns.index(f.column) for f in model._meta.concrete_fields if f.column in columns]
    names = [by_column[columns[position]].attname for position in order]
    extras = [(position, name) for position, name in enumerate(columns) if name not in by_column]
    compiler = connection.ops.compiler("SQLCompiler")(Query(model), connection, connection.alias)
    converters = compiler.get_converters(
        [by_column[name].get_col(model._meta.db_table) if name in by_column else None for name in columns])
    return partial(_build, model, connection, names, order, extras, list(converters.items()))


def _build(model, connection, names, order, extras, converters, row, bare):
    values = list(row)
    for position, (functions, expression) in converters:
        value = values[position]
        for function in functions:
            value = function(value, expression, connection)
        values[position] = value
    fields = [values[position] for position in order]
    instance = _bare(model, connection.alias, names, fields) if bare else model.from_db(connection.alias, names, fields)
    for position, name in extras:
        setattr(instance, name, values[position])
    return instance


def _bare(model, alias: str, names: list[str], values: list):
    """What ``model.from_db(alias, names, values)`` returns, without its per-field work.

    ``Model.__init__`` sets each field read through ``setattr`` (the fields left out stay
    deferred, absent from the instance) and sends ``pre_init`` and ``post_init``; ``from_db``
    then marks the instance as loaded from ``alias``. For a model with Django's own ``__init__``
    and no receiver of those signals, the instance's dictionary holds the same values: the
    field descriptors that intercept assignment (files, foreign keys) store the value as it
    is in a new instance. tests/news/test_rows.py compares the two.
    """
    instance = model.__new__(model)
    state = instance._state = ModelState()
    state.adding, state.db = False, alias
    instance.__dict__.update(zip(names, values))
    return instance
