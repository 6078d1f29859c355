from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import Review


@admin.register(Review)
class ReviewAdmin(SimpleHistoryAdmin):
    """Read-only in the admin: reviews change only through the services (workflow, audit)."""

    list_display = ["reference", "stage", "next_clock", "next_due_on"]
    list_filter = ["stage"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
