"""Database records built once and shared by many tests: Django's ``setUpTestData`` for pytest.

A ``Layer`` is a transaction opened outside the tests' own and always rolled back: records
made in it are seen by every test that runs while it is open, and each test still runs in
its own transaction (pytest-django's ``db``: a savepoint inside the layers), rolled back
after it, so no test sees another's writes. Layers stack, each built on the one below:

    depth 0  ("personas", module)               the people of tests/personas.py
    depth 1  ("world", module)                  the permission matrix's reviews, or
             ("module", module)                 one fixture of the module (``layered``)
    depth 2  ("case", module, url_name, index)  what one matrix case's URL refers to

A test asks for them through fixtures (``personas_layer`` in the root conftest.py,
``shared_world`` and ``case_world`` in tests/test_permission_matrix.py, or one module's
``layered`` fixture on level 1, such as test_review_workflow's ``review``). Before each test
(root conftest.py ``pytest_runtest_setup``) the layers it does not ask for are rolled back,
so a test that uses the database never sees records it did not ask for, whatever ran
before it; a test that empties the tables (``transaction=True``) runs with no layer open.
A fixture whose layer could not be kept says so (``None``), and the records are then made
inside the test, as before. The order of the tests only decides how often layers are
rebuilt (root conftest.py runs a module's tests that share layers one after another).

The layers' atomic blocks are marked as Django's ``TestCase`` marks its own
(``_from_testcase``), so a service's ``atomic(durable=True)`` may run inside them, exactly
as inside a test's transaction. Nothing in a layer is committed, so its
``transaction.on_commit`` callbacks never run (as in a test).

What a layer does not roll back is Python state: objects kept across tests carry what was
memoised on them (a person's review scope). Each test gets a ``copy.deepcopy`` of them, as
``TestCase`` does with its class attributes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction

Key = tuple[Hashable, ...]


class Layer:
    def __init__(self, key: Key) -> None:
        self.key = key
        self.value: Any = None
        self.is_open = True
        self.atomic = transaction.atomic(using=DEFAULT_DB_ALIAS)
        self.atomic._from_testcase = True  # durable atomics may nest in it, as in TestCase


def module_of(item: pytest.Item) -> str:
    return item.nodeid.split("::")[0]


def case_key(item: pytest.Item) -> Key | None:
    params = getattr(getattr(item, "callspec", None), "params", {})
    if "case_index" not in params:
        return None
    return ("case", module_of(item), params["url_name"], params["case_index"])


# The fixtures that hold layers, level by level from the bottom, and the key each gives a
# test: a test's layers are the first fixture it uses on each level, up to a level where it
# uses none.
LEVELS: list[dict[str, Callable[[pytest.Item], Key | None]]] = [
    {"personas_layer": lambda item: ("personas", module_of(item))},
    {"shared_world": lambda item: ("world", module_of(item)),
     "module_layer": lambda item: ("module", module_of(item))},
    {"case_world": case_key},
]


def uses_db(item: pytest.Item) -> tuple[bool, bool]:
    """(uses the database, empties it afterwards), as pytest-django decides."""
    from django.test import TransactionTestCase
    from pytest_django.fixtures import validate_django_db

    test_class = getattr(item, "cls", None)
    if test_class is not None and issubclass(test_class, TransactionTestCase):
        return True, True  # Django's own test classes: their atomics, never in a layer
    names = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    transactional, reset_sequences = validate_django_db(marker)[:2] if marker else (False, False)
    transactional = bool(transactional or reset_sequences or names & {
        "transactional_db", "live_server", "django_db_reset_sequences"})
    return transactional or bool(marker) or "db" in names, transactional


def wanted_layers(item: pytest.Item) -> list[Key] | None:
    """The layers ``item`` may run in; None if it does not use the database (any will do)."""
    db, transactional = uses_db(item)
    if not db:
        return None
    if transactional:
        return []
    names = set(getattr(item, "fixturenames", ()))
    keys: list[Key] = []
    for level in LEVELS:
        key = next((k for name, key_of in level.items()
                    if name in names and (k := key_of(item)) is not None), None)
        if key is None:
            break
        keys.append(key)
    return keys


def depth(item: pytest.Item) -> int:
    """How many layers ``item`` shares (for the order of a module's tests)."""
    wanted = wanted_layers(item)
    return len(wanted) if wanted else 0


class Layers:
    """The open layers of this process, innermost last."""

    def __init__(self) -> None:
        self.open: list[Layer] = []
        self.wanted: list[Key] = []
        self.blocker: Any = None

    def before(self, item: pytest.Item) -> None:
        """Before ``item`` is set up: roll back the layers it does not ask for."""
        wanted = wanted_layers(item)
        if wanted is None:
            return
        self.wanted = wanted
        keep = 0
        while (keep < len(self.open) and keep < len(wanted)
               and self.open[keep].key == wanted[keep]):
            keep += 1
        if keep < len(self.open):
            self.close(self.open[keep])

    def push(self, key: Key, build: Callable[[], Any], blocker: Any) -> Layer | None:
        """Open a layer for ``key`` on the open ones and build its records in it; None if
        the current test did not ask for it here (or its own transaction is already open:
        then the records are made in the test)."""
        depth = len(self.open)
        if self.wanted[:depth + 1] != [*(layer.key for layer in self.open), key]:
            return None
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.atomic_blocks != [layer.atomic for layer in self.open]:
            return None
        self.blocker = blocker
        layer = Layer(key)
        with blocker.unblock(), _tasks_run_at_once():
            layer.atomic.__enter__()
            self.open.append(layer)
            try:
                layer.value = build()
            except BaseException:
                self.close(layer)
                raise
        return layer

    def top(self, key: Key) -> Layer | None:
        return self.open[-1] if self.open and self.open[-1].key == key else None

    def close(self, layer: Layer | None) -> None:
        """Roll back ``layer`` and every layer on it (those still open)."""
        if layer is None or not layer.is_open:
            return
        connection = connections[DEFAULT_DB_ALIAS]
        with self.blocker.unblock():
            while self.open:
                top = self.open.pop()
                if connection.atomic_blocks[-1:] != [top.atomic]:
                    raise RuntimeError("a shared database layer must be rolled back after "
                                       "every transaction opened inside it")
                transaction.set_rollback(True)
                top.atomic.__exit__(None, None, None)
                top.is_open = False
                if top is layer:
                    break


LAYERS = Layers()


@contextmanager
def _tasks_run_at_once() -> Iterator[None]:
    """Records are built as in a test: Celery tasks eager (root conftest.py), though a
    layer's fixture is set up before that test's own fixtures."""
    from scr.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = previous


def layered(build: Callable[[Any], Any]) -> tuple[Any, Any]:
    """``module_layer, name = layered(build)`` in a test module: the fixture ``name`` is
    ``build(personas)``, made once for the module's tests in a layer on the personas' (and
    copied for each test together with the personas, so that ``personas`` and the value
    share objects as when built for the test), or built for the test if it cannot share it
    (one that empties the tables). One per module: its fixture is ``module_layer``."""

    @pytest.fixture(scope="module")
    def module_layer(request: pytest.FixtureRequest, personas_layer: Layer | None,
                     django_db_blocker: Any) -> Iterator[Layer | None]:
        layer = None
        if personas_layer is not None and personas_layer.is_open:
            def make() -> tuple[Any, Any]:
                people = copy.deepcopy(personas_layer.value)
                return people, build(people)
            layer = LAYERS.push(("module", request.node.nodeid), make, django_db_blocker)
        yield layer
        LAYERS.close(layer)

    @pytest.fixture
    def value(request: pytest.FixtureRequest, module_layer: Layer | None, personas: Any,
              db: None) -> Any:
        if module_layer is not None and module_layer.is_open:
            return request.getfixturevalue("module_layer_copy")[1]
        return build(personas)

    return module_layer, value
