"""Dangers to life and limb, recognised however residents describe them.

Why patterns and not the model: an urgent flag missed costs hours on a gas leak, and a
model learnt from a year of one community's history has seen a handful of dangers, mostly
in the catalogue's words. Residents say 一股怪味，头晕 rather than 燃气泄漏, 冒火星子 rather
than 漏电, 花盆晃得很，下面是小孩 rather than 高空坠物. Each pattern below is one such way
of saying it, over the text as ``routing.canonical`` leaves it (Simplified, dialect in
standard words: 火星子 → 火花, 屋头 → 家里). The model never lowers what a pattern raises.

A danger denied in its own clause (没有闻到煤气味, 不是漏气), merely feared (担心充电起火,
万一着火) or past (上次着火的车棚) does not count.

Each kind may name the category it most often belongs to: a hint that joins the keyword
evidence in ranking, never more (sparks may be 供电, 飞线 or 安全隐患; the model decides).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Who usually lives the danger (老人摔倒 is 助老服务; 有人倒在地上 is 安全隐患).
_ELDERLY = re.compile(r"老人|老奶奶|老大爷|老太|大爷|大妈|奶奶|爷爷|婆婆|老两口|独居|高龄")


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    hint: str | None
    patterns: tuple[re.Pattern, ...]
    # One sentence per pattern, as a resident might write it, that the pattern matches:
    # documentation here, and what tests/voices/test_routing_eval.py checks every pattern by.
    examples: tuple[str, ...]


def _kind(code: str, label: str, hint: str | None, *rules: tuple[str, str]) -> Kind:
    return Kind(
        code,
        label,
        hint,
        tuple(re.compile(pattern) for pattern, _example in rules),
        tuple(example for _pattern, example in rules),
    )


_SMELL = r"(怪味|异味|气味|味道|臭气|刺鼻|呛人|呛鼻|臭鸡蛋|坏鸡蛋|煤气味|燃气味)"
# What a smell does to people that a bin's smell does not: dizziness, stinging eyes.
_DIZZY = (
    r"(头晕|头昏|头痛|头疼|发晕|晕乎|喘不过气|喘不上气|呛得|胸闷|恶心想吐|"
    r"头(有点|有些|都|好|很)?(晕|昏|痛|疼)|眼睛.{0,4}(睁不开|辣|刺痛|流泪))"
)
_POWER = r"(电箱|电表箱|配电箱|配电房|配电柜|电闸|插座|插线板|插排|开关|电线|线路|电表|变压器|电缆)"
_FALLING_THING = (
    r"(水泥|混凝土|墙皮|瓷砖|砖|瓦|石头|石块|钢筋|玻璃|窗户|窗框|窗子|花盆|招牌|广告牌|雨棚|"
    r"空调外机|外机|架子|栏杆|护栏|阳台|外墙|墙|树枝|大树|壳|预制板|楼板|板子|吊顶|灯箱)"
)
_FALLING_VERB = (
    r"(掉下|掉了下|往下掉|往下落|落下来|砸到|砸在|砸中|砸伤|翻下|垮下|坠落|要掉|快掉|会掉|"
    r"歪下|松脱|吊在半空|摇摇欲坠)"
)
_PERSON = r"(人|孩子|小孩|老人|行人|学生)"

KINDS: tuple[Kind, ...] = (
    _kind(
        "gas",
        "燃气泄漏",
        "gas",
        (r"(煤气|燃气|天然气|液化气)(味|泄漏|泄露|漏了|在漏|漏出)", "楼道里有煤气味"),
        (
            r"(煤气|燃气|天然气|液化气|气)(管|管子|管道|罐|表|阀|阀门|灶|接头).{0,8}(漏|嘶|咝|呲|跑气)",
            "燃气管接口那里在漏",
        ),
        (
            r"(闻到|有股|一股|有一股|好大的|很大的|很重的|浓浓的).{0,8}"
            r"(煤气|燃气|天然气|液化气|臭鸡蛋|坏鸡蛋)",
            "一开门就闻到好大一股天然气",
        ),
        (r"(?<!轮胎)(?<!车胎)漏气|臭鸡蛋|坏鸡蛋|跑气|嘶嘶|咝咝|呲呲", "灶台后面好像在漏气"),
        (_SMELL + r".{0,15}" + _DIZZY, "屋里一股怪味，闻久了头晕"),
        (_DIZZY + r".{0,10}" + _SMELL, "一进厨房就头昏，有股刺鼻的气味"),
        (
            r"(打火机|火机|明火|开关|电灯|灯).{0,4}不敢(打|点|开|按|用)",
            "味道大得很，打火机都不敢点",
        ),
        (r"不敢(打火|点火|开灯|开火|用火|开电器|按开关)", "闻到味道了，不敢点火"),
        (
            r"(煤气|燃气|天然气|液化气)[^，。,.!?！？]{0,16}"
            r"(漏|冒气|跑气|泄|往外冒|嘶|咝|味道(好|很|特别)?(大|重|冲))|"
            r"(煤气|燃气|天然气|液化气)[^。!?！？]{0,24}(冒气|跑气|泄漏|泄露|嘶嘶|咝咝)",
            "液化气罐的阀门关不紧，一直往外冒气",
        ),
        (
            r"(火|灶).{0,4}(灭了|熄了|熄灭).{0,12}(气|味)|"
            r"满(屋|屋子|屋里|楼道|厨房)(都是|全是)?(气|味)",
            "锅还在灶上火就熄了，厨房里一股气",
        ),
    ),
    _kind(
        "fire",
        "起火冒烟",
        "safety_hazard",
        (
            r"着火|起火|失火|火灾(?!隐患)|明火|火苗|火光|火势|火舌|烧起来|烧着了|窜火|冒火|"
            r"着起来|烧起火",
            "三楼阳台着火了",
        ),
        (
            r"冒烟|浓烟|黑烟|青烟|白烟|烟雾(?!报警|探测)|有烟冒|烟冒出|冒出烟|烟大|烟很大|"
            r"烟.{0,4}(往上冒|往外冒|往楼上|灌进|窜)",
            "垃圾堆那边冒浓烟",
        ),
        (r"烧焦味|焦糊味|糊味|焦味|烧(胶皮|塑料|橡胶|电线)的?(味|臭)", "楼道里一股烧塑料的味道"),
    ),
    _kind(
        "electric",
        "触电漏电",
        "safety_hazard",
        (
            r"漏电|触电|带电|麻手|手发麻|被电(了|到|一下)|电(了|到)(我|人|他|她|手)",
            "洗衣机外壳带电",
        ),
        (
            r"电线(?!杆).{0,6}(裸露|冒火花|打火|起火|冒烟|烧焦|烧断|烧黑|烧得|掉下|掉在地|断了|掉到)",
            "单元门口的电线断了垂在地上",
        ),
        (r"(线|电缆).{0,3}烧(断|焦|黑|坏)|裸露.{0,4}电线|打火花|冒火花|火花", "插头一插就打火花"),
        (
            _POWER + r".{0,8}(噼里啪啦|噼啪|劈啪|滋滋|吱吱|冒火|打火|闪火|冒烟|烧)",
            "电表箱里一直滋滋地响",
        ),
        (
            _POWER + r".{0,24}(摸|碰|挨)[^，。,.!?！？]{0,6}(被打|被电|打了一下|麻了|弹开)",
            "路灯的电箱开着，小孩碰了一下就被弹开了",
        ),
    ),
    _kind(
        "water_electric",
        "水淹电器",
        "safety_hazard",
        (
            r"(漫过|淹到|淹过|淹了|泡到|泡着|泡在|漫到|进水|浸到|灌进|没过).{0,6}"
            r"(插座|插线板|插排|配电|电箱|电表|电闸|电线|电器|开关)",
            "卫生间的水已经淹到插座了",
        ),
        (
            r"(插座|插线板|插排|配电箱|配电房|电箱|电表箱|电闸|开关).{0,6}"
            r"(泡在水|进水|被淹|淹了|浸水|泡水|有水)",
            "客厅的插线板泡在水里了",
        ),
        (
            r"(插座|插线板|插排|电器|电箱|配电箱|电表箱|电闸)(都|已经|全)?"
            r"(在|泡在|浸在|淹在)水(下面|下|里|中)",
            "家里进水了，墙上的插座都在水里",
        ),
    ),
    _kind(
        "burst",
        "爆管淹水",
        "water_supply",
        (
            r"爆管|(水管|管子|主管|总水管|管道|水表).{0,4}(爆|破裂|破了|裂开|裂了|断了|冲开|冲坏)",
            "小区主干道上的水管破裂了",
        ),
        (
            r"漫水|水漫|淹了|被淹|倒灌|喷水|往外(涌|喷)|喷泉|淌成河|成了河|水流成河|到处是水|满地是水",
            "楼下车库被淹了",
        ),
        (r"水.{0,4}(淹到|漫进|漫到|灌进|淹过|没过)", "水一下子漫进了一楼的屋里"),
        (r"灌满(了)?水|(全|都)被水淹", "大雨把地下室灌满了水"),
    ),
    _kind(
        "structure",
        "房屋开裂垮塌",
        "safety_hazard",
        (
            r"(墙|墙体|墙面|楼板|天花板|房顶|屋顶|房屋|楼房|楼体|横梁|梁|柱子|地基|阳台|楼梯|挡土墙|护坡)"
            r".{0,6}(开裂|裂缝|裂开|裂了|倾斜|歪了|下沉|沉降|垮|塌)",
            "承重墙开裂了一条缝，越来越宽",
        ),
        (r"坍塌|塌陷|垮塌|塌方|要塌|倒塌|垮了|塌了|掉渣", "楼道顶上一直在掉渣"),
        (r"(陷下去|塌下去|沉下去).{0,4}(一个)?(大洞|大坑|深坑|洞)", "小区门口地面塌下去一个大坑"),
    ),
    _kind(
        "falling",
        "高处坠物",
        "safety_hazard",
        (_FALLING_THING + r".{0,10}" + _FALLING_VERB, "楼上空调外机的架子松了，外机快掉下来了"),
        (
            r"砸(到|中|伤)了?" + _PERSON + r"|差(一)?点.{0,6}"
            r"(砸|打到|掉下去|掉进去|摔下去|栽下去|掉下来|被砸|被电|触电|摔下|夹到|夹住|撞到|"
            r"压到|碾到|卷进)",
            "刚才差点被掉下来的东西砸到",
        ),
        (r"随时(要|会|可能)?(掉|翻|倒|塌|垮|砸|断)", "那块招牌看着随时会掉"),
        (
            r"(晃|摇|松|歪|斜).{0,12}(下面|底下|楼下|下方).{0,10}"
            r"(人|孩子|小孩|老人|车|过道|路|公交站|玩|走|市场|学校|门口|停车)",
            "楼顶的女儿墙有点歪，底下天天有人走",
        ),
        (r"(压在|搭在|倒在|砸在).{0,3}(电线|电缆|车上|人身上|房顶)", "断了的树枝搭在电线上"),
        (
            r"(井盖|窨井盖|下水道盖|盖板).{0,4}(不见|没了|没有了|丢了|被偷|掉下去|翻了|移开|被掀|打开着)",
            "路口的窨井盖不见了",
        ),
        (
            r"(爬到|站在|坐在|翻到|翻过|翻出|挂在).{0,8}"
            r"(栏杆外|护栏外|窗外|窗台|楼顶边|楼沿|阳台外|围栏外|天台边)",
            "有个小孩站在窗台上往外看",
        ),
        (
            r"(爬|站|坐|翻|探身)[^，。,.!?！？]{0,12}"
            r"(窗户|窗子|栏杆|护栏|阳台|围栏|天台|楼顶)(的)?(外面|外边|外头|边沿)",
            "邻居家小孩爬到阳台的栏杆外面去了",
        ),
        (r"楼上掉(了)?(一?块|个|根)?(砖|瓦|水泥|石|玻璃|花盆|东西)", "楼上掉了块玻璃下来"),
    ),
    _kind(
        "trapped",
        "电梯困人",
        "property_service",
        (r"困在电梯|电梯.{0,4}困人|被困", "有人被困在地下车库的电梯里"),
        (
            r"电梯.{0,12}(卡在|卡住|停在半|掉下|往下掉|下坠|往下溜|坠)",
            "电梯停在三楼和四楼之间卡住了",
        ),
        (
            r"(里面|里)(有人|关着|困着|关了).{0,10}(喊|叫|出不来|打不开|敲)",
            "轿厢里关着两个人一直在拍门喊",
        ),
        (
            r"电梯.{0,20}(关|困|卡)在里|(关|困|卡)在电梯",
            "电梯不动了，楼上的婆婆卡在里头",
        ),
    ),
    _kind(
        "person",
        "人员倒地受伤",
        None,
        (
            r"晕倒|昏倒|昏迷|晕过去|昏过去|叫不醒|喊不醒|不省人事|没有呼吸|没气了|抽搐|口吐白沫",
            "菜市场门口有个人突然晕倒了",
        ),
        (
            r"突然(倒下|倒在|倒地|栽倒|晕|昏|抽|说不出话|喘不上气|不动了)|倒下去了|"
            r"嘴(巴)?歪|说不出话|口眼歪斜|喘不上气|心脏病(犯了|发作)|中风了",
            "楼下的大爷下棋时突然倒下了",
        ),
        (
            r"(人|他|她|老人)(也)?(没有|没)反应|一动不动|倒在地上|躺在地上(起不来|不动)",
            "单元门口有人倒在地上",
        ),
        (
            r"摔(了|倒|跤|下).{0,12}"
            r"(起不来|爬不起来|动不了|不能动|昏|晕|没反应|叫不醒|流血|骨折|出血|只是哼)",
            "大爷在厕所摔倒了，动不了",
        ),
        (r"爬不起来|起不来了", "邻居家老太太起不来了，在地上喊"),
        (
            r"(敲门|打门|喊门|叫门).{0,4}(也)?(没人应|没有人应|不应|没反应|没人开|没人答应)",
            "独居的王大爷家敲门没人答应",
        ),
        (
            r"(昨天|前天|几天|两天|三天|好几天|一整天|一天)(到现在|以来)?.{0,6}"
            r"没(开门|出门|露面|动静|见人|见到人|见过人)",
            "对面那户三天没出门了，报纸堆在门口",
        ),
        (
            r"(独居|一个人住|孤寡).{0,24}(打不通|没人接|联系不上|找不到人)",
            "独居的刘大爷电话一直没人接，家里也没亮灯",
        ),
        (
            r"流.{0,4}血|出血|满(脸|身|头|地)(是|都是)?血|(头|脑袋|额头|脑门).{0,3}(打破|磕破|摔破|破了|开花)",
            "孩子从滑梯上摔下来，额头磕破了",
        ),
        (
            r"受伤|流血|(人|孩子|小孩|老人)(还)?(被)?(压在|困在|埋在|卡在|掉进|掉到|摔进|掉下)",
            "工地上有人被压在架子底下",
        ),
    ),
    _kind(
        "violence",
        "人身安全",
        "public_security",
        (
            r"救命|(拿|提|举|持|挥)(着)?(刀|菜刀|棍|棒|砖头)|动刀|砍人|捅人|见血|血流|头破血流|家暴",
            "楼下有人提着菜刀在追人",
        ),
        (r"跳楼(?!价)|轻生|寻死|要自杀", "有人坐在楼顶说要跳楼"),
        (
            r"(拿|提|举|持|挥|抄|握)(着|起|了)?.{0,2}(刀|砍刀|菜刀|匕首|铁棍|钢管|棍子|棒子)|"
            r"(刀|砍刀|菜刀|匕首|铁棍|钢管).{0,4}(乱挥|乱砍|追|砍人|捅|指着|威胁)",
            "有人抄起一根钢管在楼下追着人打",
        ),
    ),
)

# "没有闻到煤气味", "不是漏气": the danger is denied. 不 before 知道/停/断 is not a denial.
_NEGATED = re.compile(
    r"(没有|没|未|无|并非|不是|不(?!知|停|断|少|得了|对劲|住))[^，。！？；,.!?;]{0,2}$"
)
# "担心充电起火", "防止漏电": a risk feared, not a danger happening now.
_HYPOTHETICAL = re.compile(
    r"(担心|害怕|怕|防止|预防|避免|以防|万一|容易|可能会|会不会|小心|防范)[^，。！？；,.!?;]{0,8}$"
)
# "上个月着火的车棚", "去年漏过一次气": a danger that is over.
_PAST = re.compile(
    r"(上个月|上月|去年|前年|上次|上回|以前|之前|曾经|那年|几年前)[^，。！？；,.!?;]{0,10}$"
)
_CLAUSE_BREAK = re.compile(r"[，。！？；,.!?;\n]")


@dataclass(frozen=True)
class Danger:
    kind: str
    label: str
    hint: str | None
    phrase: str


def find(text: str) -> list[Danger]:
    """Every kind of danger the (canonical) text reports as happening now, with the words
    that said so, at most one per kind."""
    found = []
    for kind in KINDS:
        for pattern in kind.patterns:
            match = next((m for m in pattern.finditer(text) if _current(text, m.start())), None)
            if match is not None:
                hint = kind.hint
                if kind.code == "person":
                    hint = "elderly_service" if _ELDERLY.search(text) else "safety_hazard"
                found.append(Danger(kind.code, kind.label, hint, match.group(0)))
                break
    return found


def _current(text: str, start: int) -> bool:
    before = text[:start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    clause = before[breaks[-1].end() :] if breaks else before
    return not (_NEGATED.search(clause) or _HYPOTHETICAL.search(clause) or _PAST.search(clause))
