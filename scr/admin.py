from django.contrib import admin
from django.http import HttpRequest

from .models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """Read-only: the access log can be searched here but never changed or deleted."""

    list_display = ["at", "username", "action", "object_repr", "review_id", "ip_address"]
    list_filter = ["action"]
    search_fields = ["username", "object_repr", "path"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
