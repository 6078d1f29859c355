"""The shared helpers, importable as before (``from .conftest import Personas, client_for``);
the ``personas`` fixture itself is in the root ``conftest.py``."""

from tests.personas import PASSWORD, Personas, at_stage, client_for, make_personas, publish

__all__ = ["PASSWORD", "Personas", "at_stage", "client_for", "make_personas", "publish"]
