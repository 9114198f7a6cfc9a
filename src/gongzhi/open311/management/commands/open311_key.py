from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongzhi.open311.services import api_key_issue
from gongzhi.places.models import Community


class Command(BaseCommand):
    help = "为第三方 Open311 客户端签发接口密钥（密钥只显示这一次）。"

    def add_arguments(self, parser):
        parser.add_argument("community", help="社区编码")
        parser.add_argument("name", help="密钥名称，例如客户端或单位名称")

    def handle(self, *args, community, name, **options):
        found = Community.objects.filter(code=community).first()
        if found is None:
            raise CommandError(f"社区 {community} 不存在。")
        try:
            key, raw = api_key_issue(actor=None, community=found, name=name)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(f"{key.name}（{found.name}）：{raw}")
