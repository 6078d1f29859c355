"""The project's URLs plus the load benchmark's ceiling: a bare signed-in page with the base
layout (header, navigation, footer) and nothing else. Never part of the production URLconf."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from scr.urls import urlpatterns as project_urlpatterns

_BARE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}'
    '<h1 class="govuk-heading-l">Base layout</h1>{% endblock %}')


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    """What any signed-in page costs before its own content: the ceiling for the load run."""
    return HttpResponse(_BARE.render({}, request))


urlpatterns = [path("__bench__/bare/", bare, name="bench_bare"), *project_urlpatterns]
