from django.urls import path

from agencies.views import account
from agencies.views import people as views

urlpatterns = [
    path("account/", account.account, name="account"),
    path("account/two-factor/", account.two_factor_verify, name="two_factor_verify"),
    path("account/two-factor/set-up/", account.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/backup-codes/", account.backup_codes_renew,
         name="backup_codes_renew"),
    path("account/password/", account.password_change, name="password_change"),
    path("account/sessions/sign-out-others/", account.sessions_end_others,
         name="sessions_end_others"),
    path("account/confirm/", account.confirm_identity, name="confirm_identity"),
    path("people/<int:pk>/two-factor/reset/", views.person_two_factor_reset,
         name="person_two_factor_reset"),
    path("people/", views.people, name="people"),
    path("people/invite/", views.person_invite, name="person_invite"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", views.person_reactivate, name="person_reactivate"),
    path("people/<int:pk>/roles/add/", views.membership_add, name="membership_add"),
    path("roles/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("agencies/", views.agencies, name="agencies"),
    path("agencies/add/", views.agency_add, name="agency_add"),
    path("agencies/<int:pk>/edit/", views.agency_edit, name="agency_edit"),
    path("access-log/", views.access_log, name="access_log"),
    path("access-log/export.csv", views.access_log_export, name="access_log_export"),
]
