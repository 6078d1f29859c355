from django.contrib import admin
from django.http import HttpRequest

from .models import AccessEvent


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
