import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongzhi.demo.population import MAX_COMMUNITIES
from gongzhi.demo.seed import seed, wangjiang_exists


class Command(BaseCommand):
    help = "生成望江街社区演示数据（--scale city 生成全市规模数据，用于性能测试）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=2001, help="随机种子：相同种子生成相同数据。"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="望江街社区已存在时不做任何事。"
        )
        parser.add_argument("--scale", choices=["demo", "city"], default="demo")
        parser.add_argument(
            "--communities",
            type=int,
            default=None,
            help="社区数（city 默认 100；demo 默认 3，含望江街社区）。",
        )
        parser.add_argument(
            "--households",
            type=int,
            default=None,
            help="望江街社区的户数（默认 5040；较小的值用于快速测试）。",
        )
        parser.add_argument("--workers", type=int, default=None, help="生成居民数据的并行进程数。")
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="不生成一年的民意诉求历史（议事活动、诉求、派单、回访）。",
        )
        parser.add_argument(
            "--history-end",
            type=dt.date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="民意历史截至该日之前最后一个工作日下班时（默认：今天之前）。",
        )

    def handle(self, *args, **options):
        if wangjiang_exists():
            if options["if_empty"]:
                self.stdout.write("望江街社区已存在，跳过生成。")
                return
            raise CommandError("数据库中已有望江街社区。请使用空数据库，或加 --if-empty。")
        if (
            options["communities"] is not None
            and not 1 <= options["communities"] <= MAX_COMMUNITIES
        ):
            raise CommandError(f"--communities 应在 1 到 {MAX_COMMUNITIES} 之间。")
        verbose = options["verbosity"] >= 2
        end = None
        if options["history_end"] is not None:
            # As on that day: close of business of the working day before it.
            end = timezone.make_aware(dt.datetime.combine(options["history_end"], dt.time(0)))
        result = seed(
            seed=options["seed"],
            scale=options["scale"],
            communities=options["communities"],
            households=options["households"],
            workers=options["workers"],
            history=not options["no_history"],
            history_end=end,
            log=(lambda msg: self.stdout.write(msg)) if verbose else (lambda msg: None),
        )
        s = result.stats
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {result.communities} 个社区、{s.households} 户、{s.residents} 名居民，"
                f"共 {s.rows} 行，用时 {result.seconds:.1f} 秒（{result.rows_per_second:,.0f} 行/秒）。"
            )
        )
        h = result.history
        if h is not None:
            self.stdout.write(
                f"民意历史：{h.sessions} 场议事活动、{h.items} 条诉求、{h.dispatches} 次派单、"
                f"{h.return_visits} 次回访、{h.wishes} 个微心愿，其中 {h.hard_solved_with_partners} 个难题"
                f"与共建单位联合解决，用时 {h.seconds:.1f} 秒。"
            )
        self.stdout.write("数据为批量生成，未逐条写入审计日志。")
