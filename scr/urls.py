from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path

from agencies.forms import SignInForm
from agencies.views.account import SetPasswordView
from scr import health, metrics, views

# The admin signs in through the service's own sign-in page (throttling, second factor);
# its pages are behind the same two-factor check as every other (scr.twofactor).
admin.site.login = lambda request, extra_context=None: redirect_to_login(  # type: ignore[method-assign]  # replaced on purpose
    request.get_full_path())

urlpatterns = [
    path("", views.home, name="home"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read/", views.notification_read_all, name="notification_read_all"),
    path("notifications/preferences/", views.notification_preferences,
         name="notification_preferences"),
    path("healthz", health.healthz, name="healthz"),
    path("healthz/detail", health.healthz_detail, name="healthz_detail"),
    path("metrics", metrics.metrics, name="metrics"),
    path("history/<str:label>/<int:pk>/", views.record_history, name="record_history"),
    path("sign-in/", auth_views.LoginView.as_view(authentication_form=SignInForm,
                                                  redirect_authenticated_user=True),
         name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("set-password/<uidb64>/<token>/", SetPasswordView.as_view(),
         name="password_reset_confirm"),
    path("set-password/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("", include("agencies.urls")),
    path("", include("reviews.urls")),
    path("", include("actionplans.urls")),
    path("", include("search.urls")),
    path("", include("learning.urls")),
    path("admin/", admin.site.urls),
]
