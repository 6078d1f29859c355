from django.contrib import admin
from django.http import HttpRequest

from .models import AccessEvent, ReminderSent, RenderRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown to staff for support; changed only by the services that own them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    """Read-only: the access log can be searched here but never changed or deleted."""

    list_display = ["at", "username", "action", "object_repr", "review_id", "ip_address"]
    list_filter = ["action"]
    search_fields = ["username", "object_repr", "path"]
    date_hierarchy = "at"


@admin.register(RenderRecord)
class RenderRecordAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "status", "content_type", "object_id", "finished_at"]
    list_filter = ["status", "kind"]


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "kind", "period", "recipient", "content_type", "object_id"]
    list_filter = ["kind"]
