"""Database records built once and shared by many tests: Django's ``setUpTestData`` for pytest.

A ``Layer`` is a transaction opened outside the tests' own and always rolled back: records
made in it are seen by every test that runs while it is open, and each test still runs in
its own transaction (pytest-django's ``db``: a savepoint inside the layer), rolled back after
it, so no test sees another's writes. Layers nest (a module's records, then one case's).

The layer's atomic block is marked as Django's ``TestCase`` marks its own
(``_from_testcase``), so a service's ``atomic(durable=True)`` may run inside it, exactly as
it runs inside a test's transaction. Nothing in a layer is ever committed, so its
``transaction.on_commit`` callbacks never run (as in a test).

What a layer does not roll back is Python state: model instances kept across tests carry
what was memoised on them (a person's review scope). Hand each test a ``copy.deepcopy`` of
them, as ``TestCase`` does with its class attributes.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction


class Layer:
    """An atomic block entered now and rolled back by ``close()``."""

    def __init__(self, blocker: Any, using: str = DEFAULT_DB_ALIAS) -> None:
        self._blocker, self._using = blocker, using
        with blocker.unblock():
            self._atomic = transaction.atomic(using=using)
            self._atomic._from_testcase = True  # durable atomics may nest in it, as in TestCase
            self._atomic.__enter__()

    def close(self) -> None:
        connection = connections[self._using]
        if not connection.atomic_blocks or connection.atomic_blocks[-1] is not self._atomic:
            raise RuntimeError("a shared database layer must be closed innermost first, after "
                               "every test transaction inside it")
        with self._blocker.unblock():
            transaction.set_rollback(True, using=self._using)
            self._atomic.__exit__(None, None, None)
