"""Reusable checks for a page about a record of a review (NetBox's ViewTestCases idea, for pytest).

A ``RecordPage`` says declaratively who gets what on one URL, and whether the page shows
case data. ``check_record_page`` then visits it as every role and asserts:

- allowed roles get a 200; in scope but not allowed a 403; out of scope a 404;
- each 200 wrote exactly one access event for that person and that path (``logs_access``),
  and a refused visit wrote one ``refused`` event with its status, and no view;
- each 200 carries ``Cache-Control: no-store, private`` (``case_data``).

The statuses are never written twice: ``matrix_pages`` reads them from the permission
matrix (tests/test_permission_matrix.py ``RULES``), so the two tests cannot disagree. The
matrix stays the completeness check (every URL has a rule); these add the access-log and
no-store checks on the pages that show case data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from scr.models import AccessEvent
from tests.conftest import client_for
from tests.test_permission_matrix import RULES, World

Kwargs = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class RecordPage:
    url_name: str
    kwargs_for: Kwargs
    allowed: frozenset[str]
    in_scope_forbidden: frozenset[str] = frozenset()
    out_of_scope: frozenset[str] = frozenset()
    query: str = ""
    logs_access: bool = True
    case_data: bool = True
    label: str = ""  # which of the matrix's cases for this URL, for test ids

    def expected(self, role: str) -> int:
        if role in self.allowed:
            return 200
        return 403 if role in self.in_scope_forbidden else 404

    @property
    def roles(self) -> frozenset[str]:
        return self.allowed | self.in_scope_forbidden | self.out_of_scope

    def url(self, world: World) -> str:
        url = reverse(self.url_name, kwargs=self.kwargs_for(world))
        return f"{url}?{self.query}" if self.query else url

    def __str__(self) -> str:
        return f"{self.url_name}{self.label}"


def matrix_pages(url_name: str, **options: Any) -> list[RecordPage]:
    """One ``RecordPage`` per case the permission matrix holds for ``url_name``, with the
    matrix's statuses (signed-in roles only: anonymous visitors are the matrix's concern)."""
    pages = []
    for index, case in enumerate(RULES[url_name]):
        roles = {status: frozenset(role for role, s in case.expected.items()
                                   if s == status and role != "anonymous")
                 for status in (200, 403, 404)}
        pages.append(RecordPage(url_name, case.kwargs, allowed=roles[200],
                                in_scope_forbidden=roles[403], out_of_scope=roles[404],
                                query=case.query, label=f"[{index}]", **options))
    return pages


def _events(user: Any, path: str) -> int:
    return AccessEvent.objects.filter(user=user, path=path).count()


def check_record_page(page: RecordPage, world: World) -> None:
    """Visit ``page`` as every role it names; fail with the role, URL and what went wrong."""
    assert page.allowed, f"{page}: no role may see it, so nothing is checked"
    url = page.url(world)
    for role in sorted(page.roles):
        user = world.user(role)
        before = _events(user, url)
        response = client_for(user).get(url)
        expected = page.expected(role)
        assert response.status_code == expected, (
            f"{role} GET {url}: {response.status_code}, expected {expected}")
        written = _events(user, url) - before
        if expected != 200:
            # A refusal is logged as one refused event with its status, never as a view.
            refused = AccessEvent.objects.filter(user=user, path=url).order_by("-id")[:written]
            assert [(e.action, e.status_code) for e in refused] == [("refused", expected)], (
                f"{role} GET {url} was refused: expected one refused event, got "
                f"{[(e.action, e.status_code) for e in refused]}")
            continue
        if page.logs_access:
            assert written == 1, f"{role} GET {url}: {written} access events, expected 1"
        if page.case_data:
            cache_control = {d.strip() for d in response.get("Cache-Control", "").split(",")}
            assert {"no-store", "private"} <= cache_control, (
                f"{role} GET {url} shows case data but Cache-Control is {cache_control!r}")
