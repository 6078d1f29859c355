from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import Agency, Membership, User


class NoDeleteMixin:
    """Case and people records are never hard-deleted: deactivate or end them instead."""

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fk_name = "user"

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(User)
class ProjectUserAdmin(NoDeleteMixin, SimpleHistoryAdmin, UserAdmin):
    inlines = [MembershipInline]
    fieldsets = (*UserAdmin.fieldsets, ("Service", {"fields": ("job_title", "is_demo")}))


@admin.register(Agency)
class AgencyAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "is_active"]


@admin.register(Membership)
class MembershipAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["user", "role", "agency", "active_from", "active_to"]
    list_filter = ["role", "agency"]
