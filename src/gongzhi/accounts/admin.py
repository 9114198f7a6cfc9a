"""The Django admin is for operators (superusers) managing logins. Registry and
organisation records are changed through the workbench and API, whose services check
reach and write the audit log; the admin shows them read-only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import AuditEvent

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "display_name",
        "is_demo",
        "is_active",
        "is_superuser",
        "last_login",
    )
    list_filter = ("is_demo", "is_active", "is_superuser")
    search_fields = ("username", "display_name")
    readonly_fields = ("failed_logins", "locked_until", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "resident", "partner_unit", "is_demo")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("登录"), {"fields": ("failed_logins", "locked_until", "last_login", "date_joined")}),
    )
    raw_id_fields = ("resident",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_repr", "ip")
    list_filter = ("action",)
    search_fields = ("object_repr", "actor_label", "object_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
