"""Routing benchmark: how often the suggested category is right, how often a danger is
flagged, and how long a suggestion takes — on two sets, side by side.

1. **Demo history**: a held-out part (20 %, stratified, fixed seed) of the community's own
   history — items whose category staff confirmed — when there is enough of it (the demo
   history has 1,000+); otherwise a corpus generated here, and the result says so. This
   is what the model is built for: the same community writing the same way.
2. **Evaluation set** (``bench/data/routing_eval.jsonl``): messages written apart from the
   demo generator and the catalogue, in residents' own Sichuan Mandarin, with typos,
   Traditional script, very short texts, misleading keywords and dangers described in
   plain words. The model is trained on all the history and the catalogue, never on this
   set. Figures per tag and per batch (A written before routing was changed, B after it
   was frozen), urgent recall and false alarms.

Both are of what ``suggest`` ranks: the model with the keyword and danger evidence. The
keyword rules alone (what serves before a community has history) and the model alone are
reported beside them.

Latency is ``suggest()`` end to end (catalogue read, model check, units, reasons) with the
trained model serving, p50/p95 over 1,000 texts (evaluation and held-out texts in turn),
each with the per-text caches emptied first, as for a new report at intake, after one
warm-up call that loads the tokenizer and the model.

Standalone: ``python bench/bench_routing.py`` migrates a temporary SQLite file, seeds the
Wangjiang demo and runs. Writes ``routing.json`` into the results folder.
"""

from __future__ import annotations

import json
import os
import pathlib
import random
import sys
import tempfile
import time

SEED = 2001
HOLDOUT = 0.2
MIN_REAL_HISTORY = 100

# Phrasings per category for the generated corpus; a sentence is a place, a phrasing and a
# closing. Deliberately not the catalogue's keyword lists, or the baseline would be perfect.
PHRASES = {
    "elevator_retrofit": ["想加装电梯", "老人爬楼太辛苦希望装电梯", "加梯费用怎么分摊", "一楼住户反对加装电梯",
                          "电梯加装的补助怎么申请", "六楼老人下不了楼盼着有电梯"],
    "illegal_structure": ["有人私搭彩钢棚", "楼顶加盖了违建", "一楼住户圈占绿地建了偏房", "阳台外面私自扩建",
                          "有人在公共通道搭棚子", "违建拆了又搭起来"],
    "pipeline_relocation": ["架空线缆乱得像蜘蛛网", "希望线路入地", "施工要迁改燃气管线", "通信线垂得很低",
                            "雨污分流什么时候做", "网线电线缠在一起很乱"],
    "building_demolition": ["这栋楼是危房什么时候拆", "拆迁怎么安置", "房屋鉴定结果什么时候出",
                            "旧楼拆除补偿怎么算", "楼要拆了我们搬去哪", "危楼里还住着老人"],
    "parking": ["门口乱停车堵住了路", "找不到停车位", "有辆僵尸车停了半年", "车堵在消防通道",
                "外来车辆随便停", "早上车被堵着出不去"],
    "flying_wires": ["有人从楼上吊电线下来充电瓶车", "窗户外面挂着插线板给电动车充电", "楼道里私拉电线充电",
                     "电动车推进楼道里充电", "电线从阳台垂到地面给车充电", "二楼拉了根线到车棚充电"],
    "civility": ["遛狗不牵绳", "狗屎没人捡", "单元门上贴满小广告", "楼上往下扔东西", "有人随地吐痰",
                 "有人在楼道里抽烟"],
    "space_beautification": ["空地能不能改成小公园", "希望多放几张长椅", "墙面太旧想画墙绘", "想要个老人活动的凉亭",
                             "健身器材太少了", "闲置的角落可以美化一下"],
    "sanitation": ["垃圾桶满了没人清", "楼道堆满杂物", "下水道堵了污水横流", "到处是老鼠", "垃圾站臭得很",
                   "建筑垃圾堆在路边"],
    "neighbour_dispute": ["和楼上邻居因为漏水吵起来了", "对门占了过道不让说", "邻居家的空调滴水到我家",
                          "两家为了车位打起来了", "楼上不肯赔偿渗水损失", "想请调解员来调解"],
    "safety_hazard": ["井盖松动踩上去晃", "灭火器都过期了", "外墙瓷砖往下掉", "护栏锈断了很危险",
                      "消防栓里没有水带", "楼梯扶手松了"],
    "elderly_service": ["独居老人没人照顾", "希望有老年助餐", "老人行动不便需要陪诊", "空巢老人想要志愿者探望",
                        "高龄老人买药不方便", "希望社区开个老年食堂"],
    "water_supply": ["又停水了", "高层水压太小", "自来水发黄有沙子", "水表箱漏水", "二次供水水箱很久没洗",
                     "早上水龙头一滴水都没有"],
    "power_supply": ["一开空调就跳闸", "整栋楼停电了", "电压不稳灯一闪一闪", "电表箱门坏了", "又断电了也不通知",
                     "线路老化总断电"],
    "gas": ["厨房里有股煤气味", "燃气表不走字了", "燃气灶点不着火", "天然气什么时候能通", "燃气管道锈得厉害",
            "想报装天然气"],
    "property_service": ["楼道灯坏了物业不修", "门禁坏了好久", "物业费收了不干事", "电梯经常故障停运",
                         "报修一个月没人来", "单元门锁坏了"],
    "roads": ["人行道坑坑洼洼", "下雨路上全是积水", "台阶破了老人容易摔", "路口没有斑马线", "盲道被占了",
              "路面塌了个坑"],
    "noise": ["广场舞音响太吵", "装修电钻声从早到晚", "半夜有人唱歌扰民", "楼下打麻将到凌晨", "工地晚上施工睡不着",
              "商铺的喇叭一直喊"],
    "greening": ["大树挡住阳光", "树枝伸进窗户了", "有人毁绿种菜", "草坪里杂草太多", "枯树快倒了",
                 "希望补种一些花草"],
    "public_security": ["电瓶被偷了", "有可疑的人在撬锁", "有人向老人推销保健品", "接到诈骗电话",
                        "晚上有醉汉闹事", "自行车被盗"],
}  # fmt: skip
PLACES = ["", "3栋", "我们单元", "小区门口", "5号楼2单元", "甘露园", "楼下", "后面那栋楼", "望江街"]
CLOSINGS = ["", "，请尽快处理", "，希望社区管一管", "，已经好几天了", "，谢谢", "！", "，麻烦了"]
GENERATED_PER_CATEGORY = 60


def generated_corpus(seed: int = SEED) -> tuple[list, list]:
    """(train, held out) of generated sentences. Each category's last phrasing appears
    only in the held-out part: a split that let the test reuse training phrasings would
    score 100 % and say nothing; this one measures reading a new way of saying a thing."""
    rng = random.Random(seed)
    train, test = [], []
    for code, phrases in PHRASES.items():
        for _ in range(GENERATED_PER_CATEGORY):
            index = rng.randrange(len(phrases))
            text = rng.choice(PLACES) + phrases[index] + rng.choice(CLOSINGS)
            (test if index == len(phrases) - 1 else train).append((text, code))
    return train, test


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]

    return {
        "n": len(ordered),
        "p50_ms": round(pct(0.50) * 1000, 3),
        "p95_ms": round(pct(0.95) * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
    }


EVAL_PATH = pathlib.Path(__file__).resolve().parent / "data" / "routing_eval.jsonl"
LATENCY_TEXTS = 1000


def load_eval(path: pathlib.Path = EVAL_PATH) -> list[dict]:
    """The evaluation set's rows (lines starting with # are its header)."""
    return [
        json.loads(line)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def _ranked(routing, model, trained_on, categories, text) -> list[str]:
    return [
        code
        for code, _s in routing.rank(
            text, model=model, trained_on=trained_on, categories=categories
        )
    ]


def _accuracy(routing, model, trained_on, categories, pairs) -> dict:
    top1 = top3 = 0
    for text, code in pairs:
        ranked = _ranked(routing, model, trained_on, categories, text)
        top1 += bool(ranked) and ranked[0] == code
        top3 += code in ranked
    n = len(pairs) or 1
    return {"n": len(pairs), "top1": round(top1 / n, 4), "top3": round(top3 / n, 4)}


def _evaluation_set(routing, model, trained_on, categories) -> dict:
    rows = load_eval()
    pairs = [(r["text"], r["category"]) for r in rows]
    report = _accuracy(routing, model, trained_on, categories, pairs)
    report["keywords_only"] = _accuracy(routing, None, 0, categories, pairs)
    # No categories given: no keyword or danger evidence, the model alone.
    report["model_only"] = _accuracy(routing, model, trained_on, [], pairs)
    urgent = [r for r in rows if r["urgent"]]
    calm = [r for r in rows if not r["urgent"]]
    flagged = [r for r in urgent if routing.is_urgent(r["text"])]
    false_alarms = [r["text"] for r in calm if routing.is_urgent(r["text"])]
    report["urgent"] = {
        "n": len(urgent),
        "recall": round(len(flagged) / (len(urgent) or 1), 4),
        "missed": [r["text"] for r in urgent if not routing.is_urgent(r["text"])],
        "false_alarms": len(false_alarms),
        "false_alarm_rate": round(len(false_alarms) / (len(calm) or 1), 4),
        "false_alarm_texts": false_alarms,
    }
    for field, values in (
        ("by_tag", sorted({t for r in rows for t in r["tags"]})),
        ("by_batch", sorted({r["batch"] for r in rows})),
    ):
        report[field] = {}
        for value in values:
            chosen = [
                r for r in rows if value in (r["tags"] if field == "by_tag" else [r["batch"]])
            ]
            part = _accuracy(
                routing, model, trained_on, categories, [(r["text"], r["category"]) for r in chosen]
            )
            danger = [r for r in chosen if r["urgent"]]
            part["urgent_recall"] = (
                round(sum(routing.is_urgent(r["text"]) for r in danger) / len(danger), 4)
                if danger
                else None
            )
            report[field][value] = part
    wrong = []
    for r in rows:
        ranked = _ranked(routing, model, trained_on, categories, r["text"])
        if r["category"] not in ranked:
            wrong.append({"id": r["id"], "text": r["text"], "label": r["category"], "top3": ranked})
    report["not_in_top3"] = wrong
    return report


def run(results_dir) -> dict:
    from gongzhi.voices import routing
    from gongzhi.voices.catalogue import ensure_categories
    from gongzhi.voices.models import Category

    if not Category.objects.exists():
        ensure_categories()
    categories = list(Category.objects.filter(is_active=True))

    history = routing.confirmed_history()
    real = len(history) >= MIN_REAL_HISTORY
    if real:
        source = "demo history (confirmed items), stratified 20 % held out"
        rows = [
            (r.text, r.code, w)
            for r, w in zip(history, routing.history_weights(history), strict=True)
        ]
        train_rows, test_rows = routing.split_holdout(rows, holdout=HOLDOUT, seed=SEED)
    else:
        source = (
            "generated corpus (not enough confirmed history in the database); "
            "held-out phrasings never seen in training"
        )
        train_pairs, test_pairs = generated_corpus()
        train_rows = [(t, c, 1.0) for t, c in train_pairs]
        test_rows = [(t, c, 1.0) for t, c in test_pairs]
    train = [(t, c) for t, c, _w in train_rows]
    test = [(t, c) for t, c, _w in test_rows]

    routing.features("楼道")  # load the tokenizer outside the timings
    started = time.perf_counter()
    payload = routing.fit(train, categories=categories, weights=[w for *_x, w in train_rows])
    train_s = time.perf_counter() - started
    held_out_model = routing.load(payload)
    demo = _accuracy(routing, held_out_model, len(train), categories, test)
    demo["model_only"] = _accuracy(routing, held_out_model, len(train), [], test)
    demo["keywords_only"] = _accuracy(routing, None, 0, categories, test)
    demo.update(source=source, samples=len(train) + len(test), train=len(train))
    demo["categories"] = len({c for _t, c in train + test})

    # The model as ``train_routing`` saves it: all the history and the catalogue. It serves
    # the evaluation set and the latency figures.
    if real:
        saved = routing.train(holdout=0, seed=SEED)
        full = routing.load(saved.payload)
        trained_on = saved.trained_on
        payload_bytes = len(json.dumps(saved.payload, ensure_ascii=False).encode())
    else:
        full_payload = routing.fit(train + test, categories=categories)
        full, trained_on = routing.load(full_payload), len(train) + len(test)
        payload_bytes = len(json.dumps(full_payload, ensure_ascii=False).encode())
        routing.clear_model_cache()
    evaluation = _evaluation_set(routing, full, trained_on, categories)

    texts = [r["text"] for r in load_eval()] + [t for t, _c in test]
    texts = (texts * (LATENCY_TEXTS // len(texts) + 1))[:LATENCY_TEXTS]
    routing.suggest("楼道灯坏了")
    timings = []
    caches = (routing.canonical, routing.routing_text, routing.features, routing.words)
    for text in texts:
        # Every intake text is new: none of the per-text caches may answer for it.
        for cache in caches:
            cache.cache_clear()
        t0 = time.perf_counter()
        routing.suggest(text)
        timings.append(time.perf_counter() - t0)

    report = {
        "demo_history": demo,
        "evaluation_set": evaluation,
        "model": {
            "kind": "logistic regression over words and character n-grams, JSON weights",
            "version": routing.MODEL_VERSION,
            "trained_on": trained_on,
            "train_seconds": round(train_s, 3),
            "payload_bytes": payload_bytes,
            "serving": real and trained_on >= routing.MIN_HISTORY,
        },
        "suggest": _percentiles(timings),
    }
    out = pathlib.Path(results_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "routing.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return report


def _standalone() -> None:
    root = pathlib.Path(__file__).resolve().parent.parent
    sys.path[:0] = [str(root / "src"), str(root)]
    workdir = tempfile.mkdtemp(prefix="bench-routing-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings_test")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", seed=SEED, verbosity=0)
    report = run(root / "bench" / "results")
    for name in ("demo_history", "evaluation_set"):
        part = report[name]
        print(f"{name}: top-1 {part['top1']:.1%}, top-3 {part['top3']:.1%} (n={part['n']})")
    urgent = report["evaluation_set"]["urgent"]
    print(
        f"urgent recall {urgent['recall']:.1%} of {urgent['n']}, false alarms {urgent['false_alarms']}"
    )
    print(f"suggest p50 {report['suggest']['p50_ms']} ms, p95 {report['suggest']['p95_ms']} ms")


if __name__ == "__main__":
    _standalone()
