from django.urls import path

from search import views

urlpatterns = [
    path("search/", views.search, name="search"),
    path("search/people/", views.person_lookup, name="person_lookup"),
    path("search/people/log/", views.person_lookup_log, name="person_lookup_log"),
]
