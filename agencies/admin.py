from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from agencies.models import Agency, Membership, User
from scr.admin import NoDeleteMixin


class MembershipInline(NoDeleteMixin, admin.TabularInline):
    model = Membership
    extra = 0
    fk_name = "user"


@admin.register(User)
class ProjectUserAdmin(NoDeleteMixin, SimpleHistoryAdmin, UserAdmin):
    inlines = [MembershipInline]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Service", {"fields": ("job_title", "is_demo")}))


@admin.register(Agency)
class AgencyAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "is_active"]


@admin.register(Membership)
class MembershipAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["user", "role", "agency", "active_from", "active_to"]
    list_filter = ["role", "agency"]
