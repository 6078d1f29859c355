"""Every download in one shape (``scr.documents.attachment`` and ``file_response``): each
download the project has (tests/downloads.py), fetched as the first role allowed it,
carries the four headers; a stored file is streamed from storage and writes one access
event. The permission matrix runs the same check on every other response, so a new
download that is not named, or not in shape, fails there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from scr.models import AccessEvent
from tests import test_permission_matrix as matrix
from tests.conftest import client_for
from tests.downloads import DOWNLOADS, NOT_YET, STORED_FILES, check_download, is_download
from tests.test_permission_matrix import World

world = matrix.world  # the matrix's world of reviews, files and PDFs
shared_world, case_world = matrix.shared_world, matrix.case_world

CASES = [(name, index) for name in sorted(DOWNLOADS) for index in range(len(matrix.RULES[name]))]


def test_every_download_named_is_a_url() -> None:
    assert not DOWNLOADS - set(matrix.RULES), "named downloads that are no URL"


@pytest.mark.parametrize(("url_name", "case_index"), CASES, ids=[f"{n}[{i}]" for n, i in CASES])
def test_a_download_carries_the_four_headers_and_a_stored_file_is_streamed_and_logged(
        world: World, url_name: str, case_index: int) -> None:
    case = matrix.RULES[url_name][case_index]
    role = next(r for r in matrix.ROLES if case.expected[r] == 200)
    url = reverse(url_name, kwargs=case.kwargs(world))
    if case.query:
        url = f"{url}?{case.query}"
    before = AccessEvent.objects.filter(path=url, action="download").count()
    response = client_for(world.user(role)).get(url)
    where = f"{role} GET {url}"
    assert response.status_code == 200 and is_download(response), where
    check_download(url_name, response, where)
    if url_name in STORED_FILES:
        assert b"".join(response.streaming_content), f"{where}: empty"
        written = AccessEvent.objects.filter(path=url, action="download").count() - before
        assert written == 1, f"{where}: {written} download events"
    elif url_name not in NOT_YET:
        assert response.has_header("Content-Type"), where
