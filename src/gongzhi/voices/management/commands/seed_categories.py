from django.core.management.base import BaseCommand

from gongzhi.voices.catalogue import ensure_categories
from gongzhi.voices.models import Category


class Command(BaseCommand):
    help = "创建诉求分类目录中缺少的分类（已有分类保持工作人员的修改）。"

    def handle(self, *args, **options):
        before = Category.objects.count()
        ensure_categories()
        after = Category.objects.count()
        self.stdout.write(f"诉求分类：新增 {after - before} 个，共 {after} 个。")
