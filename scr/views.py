from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in person's name, role and what they must do next."""
    from reviews.selectors import tasks_for

    return render(request, "home.html", {"tasks": tasks_for(request.user)})
