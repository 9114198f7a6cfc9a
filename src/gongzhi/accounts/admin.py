"""The Django admin is for operators (superusers) managing logins. Registry and
organisation records are changed through the workbench and API, whose services check
reach and write the audit log; the admin shows them read-only.

Locks, blocks of failed logins, disabling and tokens change only through the actions
below, which call the services (audited, and ending tokens where they must)."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gongzhi.core.models import AuditEvent

from . import lockout, services
from .models import ApiToken, LoginFailure, User


def _done(modeladmin, request, count):
    modeladmin.message_user(
        request, ngettext("已处理 %(n)d 项。", "已处理 %(n)d 项。", count) % {"n": count}
    )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "display_name",
        "is_demo",
        "is_active",
        "locked_at",
        "is_superuser",
        "last_login",
    )
    list_filter = ("is_demo", "is_active", "is_superuser")
    search_fields = ("username", "display_name")
    readonly_fields = (
        "is_active",
        "locked_at",
        "blocked_from",
        "credentials_changed_at",
        "last_login",
        "date_joined",
    )
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "resident", "partner_unit", "is_demo")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (
            _("登录"),
            {
                "fields": (
                    "locked_at",
                    "blocked_from",
                    "credentials_changed_at",
                    "last_login",
                    "date_joined",
                )
            },
        ),
    )
    raw_id_fields = ("resident",)
    actions = ["lock", "unlock", "disable", "enable", "revoke_tokens"]

    @admin.display(description=_("登录失败过多而受限的来源地址"))
    def blocked_from(self, obj):
        return "、".join(lockout.blocked_addresses(obj)) or "—"

    @admin.action(description=_("锁定所选账号（接口令牌随之失效）"))
    def lock(self, request, queryset):
        for user in queryset:
            services.user_lock(actor=request.user, user=user)
        _done(self, request, len(queryset))

    @admin.action(description=_("解除锁定和登录失败限制"))
    def unlock(self, request, queryset):
        for user in queryset:
            services.user_unlock(actor=request.user, user=user)
        _done(self, request, len(queryset))

    @admin.action(description=_("停用所选账号（接口令牌随之失效）"))
    def disable(self, request, queryset):
        for user in queryset:
            if user.pk == request.user.pk:
                self.message_user(request, _("不能停用自己的账号。"), messages.ERROR)
                continue
            services.user_set_active(actor=request.user, user=user, active=False)
        _done(self, request, len(queryset))

    @admin.action(description=_("启用所选账号"))
    def enable(self, request, queryset):
        for user in queryset:
            services.user_set_active(actor=request.user, user=user, active=True)
        _done(self, request, len(queryset))

    @admin.action(description=_("吊销所选账号的全部接口令牌"))
    def revoke_tokens(self, request, queryset):
        count = 0
        for token in ApiToken.objects.filter(user__in=queryset, revoked_at__isnull=True):
            services.api_token_revoke(actor=request.user, token=token)
            count += 1
        _done(self, request, count)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(_ReadOnly):
    list_display = ("user", "name", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "name")
    list_select_related = ("user",)
    exclude = ("key_hash",)
    actions = ["revoke"]

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(actor=request.user, token=token)
        _done(self, request, len(queryset))


@admin.register(LoginFailure)
class LoginFailureAdmin(_ReadOnly):
    list_display = ("at", "user", "ip")
    list_filter = ("at",)
    search_fields = ("user__username", "ip")
    list_select_related = ("user",)
    exclude = ("login_key",)
    actions = ["clear_addresses"]

    @admin.action(description=_("清除所选来源地址的登录失败记录"))
    def clear_addresses(self, request, queryset):
        ips = sorted(set(queryset.values_list("ip", flat=True)))
        for ip in ips:
            services.login_failures_clear(actor=request.user, ip=ip)
        _done(self, request, len(ips))


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
