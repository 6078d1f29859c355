from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from agencies.forms import SignInForm

from . import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("history/<str:label>/<int:pk>/", views.record_history, name="record_history"),
    path("sign-in/", auth_views.LoginView.as_view(authentication_form=SignInForm,
                                                  redirect_authenticated_user=True),
         name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("agencies.urls")),
    path("", include("reviews.urls")),
    path("admin/", admin.site.urls),
]
