from django.contrib import admin
from django.http import HttpRequest

from scr.models import AccessEvent, ReminderSent, RenderRecord


class NoDeleteMixin:
    """Case and people records are never hard-deleted: deactivate, end or withdraw them."""

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyAdminMixin(NoDeleteMixin):
    """Searchable in the admin, never changed there: the services (workflow, audit) or an
    append-only log are the only writers."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the access log can be searched here but never changed or deleted."""

    list_display = ["at", "username", "action", "object_repr", "review_id", "ip_address"]
    list_filter = ["action"]
    search_fields = ["username", "object_repr", "path"]
    date_hierarchy = "at"


@admin.register(RenderRecord)
class RenderRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Shown to staff for support; changed only by the render service."""

    list_display = ["created_at", "kind", "status", "content_type", "object_id", "finished_at"]
    list_filter = ["status", "kind"]


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Shown to staff for support; written only by claiming a reminder."""

    list_display = ["sent_at", "kind", "period", "recipient", "content_type", "object_id"]
    list_filter = ["kind"]
