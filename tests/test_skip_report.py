"""A skipped test is a reported gap, not a pass (the root conftest's skip report).

Each run is a real pytest run in a subprocess, with the root conftest's hooks loaded
into an empty project, so these fail if the hooks stop reporting or stop failing CI.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT_CONFTEST = Path(__file__).resolve().parent.parent / "conftest.py"

HOOKS = f"""
import importlib.util

_spec = importlib.util.spec_from_file_location("scr_root_conftest", {str(ROOT_CONFTEST)!r})
_root = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_root)
pytest_runtest_logreport = _root.pytest_runtest_logreport
pytest_sessionfinish = _root.pytest_sessionfinish
pytest_terminal_summary = _root.pytest_terminal_summary


def pytest_configure(config):
    for name in ("integration", "browser", "postgresql", "slow"):
        config.addinivalue_line("markers", name)
"""

TESTS = """
import pytest

def test_runs():
    pass

@pytest.mark.{marker}
def test_needs_the_machine():
    pytest.skip("no broker here")
"""


def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *, ci: str | None,
        marker: str) -> pytest.RunResult:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    pytester.makeconftest(HOOKS)
    pytester.makepyfile(test_skips=TESTS.format(marker=marker))
    return pytester.runpytest_subprocess("-p", "no:django", "-p", "no:cacheprovider")


def test_every_run_ends_with_a_line_saying_what_was_skipped_and_why(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(pytester, monkeypatch, ci=None, marker="integration")
    result.stdout.fnmatch_lines(["skipped 1: no broker here"])
    assert result.ret == pytest.ExitCode.OK


def test_with_ci_true_a_skipped_integration_test_fails_the_run(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(pytester, monkeypatch, ci="true", marker="integration")
    result.stdout.fnmatch_lines(["skipped 1: no broker here",
                                 "CI=true: 1 integration/browser/PostgreSQL test(s) skipped*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_with_ci_true_an_ordinary_skip_is_reported_but_does_not_fail(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(pytester, monkeypatch, ci="true", marker="slow")
    result.stdout.fnmatch_lines(["skipped 1: no broker here"])
    assert result.ret == pytest.ExitCode.OK
