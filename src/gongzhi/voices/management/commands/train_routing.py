from django.core.management.base import BaseCommand, CommandError

from gongzhi.places.models import Community
from gongzhi.voices import routing


class Command(BaseCommand):
    help = (
        "用已确认分类的诉求（工作人员改过的加权）和分类目录训练分类模型，"
        "在留出部分上评估准确率并保存。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--holdout", type=float, default=0.2, help="留出评估的比例（0 到 0.9），默认 0.2"
        )
        parser.add_argument("--seed", type=int, default=0, help="划分留出集的随机种子")
        parser.add_argument("--community", default="", help="只用该社区（编码）的历史")

    def handle(self, *args, holdout, seed, community, **options):
        if not 0 <= holdout <= 0.9:
            raise CommandError("--holdout 应在 0 到 0.9 之间。")
        scope = None
        if community:
            scope = Community.objects.filter(code=community).first()
            if scope is None:
                raise CommandError(f"没有编码为 {community} 的社区。")
        model = routing.train(holdout=holdout, seed=seed, community=scope)
        self.stdout.write(f"训练样本：{model.trained_on} 条（模型 #{model.pk}）")
        corrections = model.payload.get("corrections", 0)
        if corrections:
            self.stdout.write(
                f"其中工作人员改过分类的 {corrections} 条，"
                f"每条按 {routing.CORRECTION_WEIGHT:g} 条计。"
            )
        if model.accuracy_top1 is None:
            self.stdout.write("样本太少，未做留出评估。")
        else:
            tested = model.payload.get("tested_on", 0)
            self.stdout.write(
                f"留出评估（{tested} 条）：top-1 {model.accuracy_top1:.1%}，"
                f"top-3 {model.accuracy_top3:.1%}"
            )
        if model.trained_on < routing.MIN_HISTORY:
            self.stdout.write(
                f"已确认的诉求少于 {routing.MIN_HISTORY} 条：建议仍以关键词规则为主。"
            )
