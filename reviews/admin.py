from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reviews.models import Review
from scr.admin import ReadOnlyAdminMixin


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only in the admin: reviews change only through the services (workflow, audit)."""

    list_display = ["reference", "stage", "next_clock", "next_due_on"]
    list_filter = ["stage"]
