import os

from django.conf import settings
from django.core.management.base import BaseCommand

from gongzhi.accounts.models import User
from gongzhi.demo.organisations import DEMO_USERS, PASSWORD_ENV
from gongzhi.orgs.models import Post


class Command(BaseCommand):
    help = "列出演示账号（用户名、角色、范围）和密码来源。"

    def handle(self, *args, **options):
        roles = {username: role for username, role, _kind in DEMO_USERS}
        users = {
            u.username: u
            for u in User.objects.filter(is_demo=True).select_related("partner_unit", "resident")
        }
        if not users:
            self.stdout.write("还没有演示账号：请先运行 manage.py seed_demo。")
            return
        rows = []
        for username, _role, _kind in DEMO_USERS:
            user = users.get(username)
            if user is None:
                continue
            rows.append((username, roles[username], self._scope(user)))
        width = max(len(r[0]) for r in rows)
        self.stdout.write(f"{'用户名'.ljust(width)}  角色 / 范围")
        for username, role, scope in rows:
            self.stdout.write(f"{username.ljust(width)}  {role}：{scope}")
        source = (
            f"环境变量 {PASSWORD_ENV}"
            if os.environ.get(PASSWORD_ENV)
            else f"默认演示密码（可用环境变量 {PASSWORD_ENV} 修改）：gongzhi-demo"
        )
        self.stdout.write(f"密码：{source}")
        if not settings.DEMO_MODE:
            self.stdout.write(
                self.style.WARNING("注意：演示模式未开启（GONGZHI_DEMO_MODE），演示账号无法登录。")
            )
        port = os.environ.get("PORT", "8000")
        self.stdout.write(f"打开 http://127.0.0.1:{port}/")

    @staticmethod
    def _scope(user) -> str:
        post = Post.objects.active().filter(user=user).select_related(*Post.NODE_FIELDS).first()
        if post is not None:
            node = post.node
            if post.level in ("building", "entrance"):
                return f"{node.community.name if post.level == 'building' else node.building.community.name} {node}"
            return str(node)
        if user.partner_unit_id:
            return user.partner_unit.name
        if user.resident_id:
            return f"{user.resident.household}（本户）"
        return "—"
