"""How pytest-xdist hands the tests to its processes: by the database layers they share.

xdist's default (``--dist load``) deals tests out one by one, so the tests that share a
layer (tests/shared_db.py: a module's personas, the permission matrix's world, one matrix
case's records for its seven roles) run in both processes and each process builds the
layer again; the slow tests (a browser journey, a real worker, a backup) end up wherever
they fall. Here the unit of work is what shares a layer:

- one permission-matrix case (its seven roles): the case's records are made once;
- a test that empties the tables after it (browser, live server, real worker) or is marked
  ``browser`` or ``integration``: alone, so the slow ones spread over the processes;
- any other test: with the rest of its module (its module layers are made once).

Units go out in the collection's order (pytest-django's: tests in a transaction first, then
those that empty the tables), so a process never runs a test in a transaction after one
that emptied its database. The workers know the markers and fixtures, the controller only
the test ids: each worker writes the unit of every test id to a file named in the
environment when the run starts (the same for every worker), and the controller reads it
when it deals the units out.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

from tests.shared_db import case_key, module_of, uses_db

UNITS_FILE = "SCR_XDIST_UNITS"


def announce_units_file(config: pytest.Config) -> None:
    """In the controller, before the workers start: where they write the units."""
    if getattr(config, "workerinput", None) is None and config.getoption("numprocesses", None):
        handle, path = tempfile.mkstemp(prefix="scr-xdist-units-", suffix=".json")
        os.close(handle)
        os.environ[UNITS_FILE] = path


def unit_of(item: pytest.Item) -> str:
    case = case_key(item)
    if case is not None:
        return "::".join(str(part) for part in case)
    empties = uses_db(item)[1]
    if empties or item.get_closest_marker("browser") or item.get_closest_marker("integration"):
        return item.nodeid
    return module_of(item)


def write_units(items: list[pytest.Item]) -> None:
    """In a worker, after the order is settled: each test id's unit."""
    path = os.environ.get(UNITS_FILE)
    if not path or not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    fd, partial = tempfile.mkstemp(dir=Path(path).parent, prefix=".units-")
    with os.fdopen(fd, "w") as out:
        json.dump({item.nodeid: unit_of(item) for item in items}, out)
    os.replace(partial, path)


class LayerScheduling(LoadScopeScheduling):
    """xdist's ``loadscope`` with the units above, in the collection's order."""

    def __init__(self, config: pytest.Config, log: Any = None) -> None:
        super().__init__(config, log)
        config.option.loadscopereorder = False  # keep the collection's order
        self.units: dict[str, str] | None = None

    def _split_scope(self, nodeid: str) -> str:
        if not self.units:
            path = os.environ.get(UNITS_FILE, "")
            try:
                self.units = json.loads(Path(path).read_text()) if path else {}
            except (OSError, ValueError):
                self.units = {}
        return (self.units or {}).get(nodeid) or nodeid.split("::")[0]


def forget_units_file(config: pytest.Config) -> None:
    if getattr(config, "workerinput", None) is None and (path := os.environ.get(UNITS_FILE)):
        Path(path).unlink(missing_ok=True)
