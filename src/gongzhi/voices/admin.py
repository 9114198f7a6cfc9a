"""The Django admin for residents' voice: the category catalogue is edited here; items,
dispatches and timelines are read-only, since every change to them is a service."""

from django.contrib import admin

from .models import Category, Dispatch, EventSession, Item, ItemEvent, ItemReporter


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "default_level",
        "default_unit",
        "urgent",
        "time_unit",
        "respond_limit",
        "handle_limit",
        "is_active",
    ]
    list_filter = ["default_level", "urgent", "is_active"]
    search_fields = ["code", "name", "keywords"]


@admin.register(EventSession)
class EventSessionAdmin(admin.ModelAdmin):
    list_display = ["held_on", "title", "format", "community", "attendance"]
    list_filter = ["format", "community"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ItemEventInline(ReadOnlyInline):
    model = ItemEvent
    fields = ["at", "type", "actor_label", "public", "note"]
    readonly_fields = fields


class ItemReporterInline(ReadOnlyInline):
    model = ItemReporter
    fields = ["resident", "name", "channel", "entered_by", "is_original"]
    readonly_fields = fields


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "status", "level", "category", "community", "due_at"]
    list_filter = ["status", "level", "urgent", "community"]
    search_fields = ["number", "title"]
    inlines = [ItemReporterInline, ItemEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    list_display = ["item", "unit", "status", "sent_at", "accept_due_at", "replied_at"]
    list_filter = ["status", "unit"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
