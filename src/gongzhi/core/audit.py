"""Writing and reading the audit log. Every service that changes a registry or
organisation record, and every reveal of personal data, calls ``record``."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .middleware import current_ip
from .models import AuditEvent
from .scoping import invalidate_scopes

# Every action the code records, as a reader of the log says it. A test finds each action
# string in the source and fails when one has no label here.
ACTION_LABELS = {
    # the register
    "places.resident.created": _("登记居民"),
    "places.resident.updated": _("修改居民信息"),
    "places.resident.status_changed": _("变更居民状态"),
    "places.resident.revealed": _("查看居民完整信息"),
    "places.household.created": _("登记住户"),
    "places.contact.created": _("记录走访"),
    "places.care_list.exported": _("导出关爱名单"),
    "register.import.completed": _("导入居民登记表"),
    "register.import.interrupted": _("导入中断（重新排队或放弃）"),
    "register.export.completed": _("导出居民登记表"),
    "register.export.revealed": _("导出含完整信息的登记表"),
    # organisations
    "orgs.post.assigned": _("任命岗位"),
    "orgs.post.ended": _("岗位离任"),
    "orgs.post.handed_over": _("岗位交接"),
    "orgs.team.created": _("新建队伍"),
    "orgs.team.member_added": _("添加队伍成员"),
    "orgs.team.member_removed": _("移出队伍成员"),
    "orgs.team.member_role_changed": _("调整队伍成员角色"),
    "orgs.partner_unit.created": _("新建共建单位"),
    "orgs.partner_unit.updated": _("修改共建单位"),
    "orgs.partner_contact.added": _("添加共建单位联系人"),
    "orgs.partner_contact.removed": _("删除共建单位联系人"),
    "orgs.party_member.household_linked": _("党员联系户：建立联系"),
    "orgs.party_member.household_unlinked": _("党员联系户：解除联系"),
    # logins and tokens
    "accounts.user.login_locked": _("登录失败次数过多，已阻止该地址"),
    "accounts.user.locked": _("锁定账号"),
    "accounts.user.unlocked": _("解锁账号"),
    "accounts.user.enabled": _("启用账号"),
    "accounts.user.disabled": _("停用账号"),
    "accounts.partner_user.created": _("为共建单位开通账号"),
    "accounts.partner_user.disabled": _("停用共建单位账号"),
    "accounts.login.address_blocked": _("阻止频繁登录失败的地址"),
    "accounts.login.address_cleared": _("解除对地址的登录阻止"),
    "accounts.api_token.created": _("创建接口令牌"),
    "accounts.api_token.revoked": _("吊销接口令牌"),
    "core.keys.keys_rotated": _("轮换加密密钥"),
    "core.holiday_schedule.saved": _("录入或修改节假日安排"),
    # residents' voice
    "voices.item.submitted": _("提交诉求"),
    "voices.item.joined": _("附议诉求（我也遇到）"),
    "voices.item.accepted": _("受理诉求"),
    "voices.item.escalated": _("上报诉求"),
    "voices.item.resolved": _("办结诉求"),
    "voices.item.closed": _("回访后关闭诉求"),
    "voices.item.reopened": _("回访未解决，诉求重新办理"),
    "voices.item.merged": _("合并诉求"),
    "voices.item.withdrawn": _("撤回诉求"),
    "voices.item.commented": _("添加诉求备注"),
    "voices.item.reminded": _("诉求到期提醒"),
    "voices.item.supervised": _("诉求督办"),
    "voices.item.warned": _("诉求临期提醒"),
    "voices.extension.requested": _("申请延期"),
    "voices.extension.approved": _("同意延期"),
    "voices.extension.refused": _("不同意延期"),
    "voices.item.published": _("公开诉求"),
    "voices.item.withheld": _("不公开诉求"),
    "voices.reporter.revealed": _("查看反映人电话"),
    "voices.dispatch.sent": _("派单给共建单位"),
    "voices.dispatch.accepted": _("共建单位签收派单"),
    "voices.dispatch.replied": _("共建单位答复派单"),
    "voices.dispatch.returned": _("共建单位退回派单"),
    "voices.dispatch.verified": _("审核通过共建单位答复"),
    "voices.dispatch.rejected": _("审核未通过共建单位答复"),
    "voices.dispatch.closed": _("协办派单随主办结束"),
    "voices.event_session.created": _("登记议事活动"),
    "voices.event_session.opinions_entered": _("录入议事活动意见"),
    "voices.notification.sms_sent": _("发送短信通知"),
    # micro-wishes
    "venues.venue.created": _("新增场地"),
    "venues.venue.updated": _("修改场地"),
    "venues.venue.hours_set": _("设置场地开放时间"),
    "venues.booking.requested": _("预约场地"),
    "venues.booking.approved": _("批准场地预约"),
    "venues.booking.refused": _("不批准场地预约"),
    "venues.booking.cancelled": _("取消场地预约"),
    "exemplars.nomination.submitted": _("推荐微典型"),
    "exemplars.nomination.reviewing": _("确认被推荐人并开始审核"),
    "exemplars.nomination.accepted": _("采纳微典型推荐"),
    "exemplars.nomination.declined": _("未采纳微典型推荐"),
    "exemplars.story.created": _("撰写微典型故事"),
    "exemplars.story.edited": _("修改微典型故事"),
    "exemplars.story.photos_added": _("上传微典型故事照片"),
    "exemplars.story.published": _("发布微典型故事"),
    "exemplars.story.withdrawn": _("撤下微典型故事"),
    "exemplars.story.redrafted": _("重新起草微典型故事"),
    "exemplars.consent.recorded": _("记录本人同意公开"),
    "exemplars.consent.withdrawn": _("本人撤回同意"),
    "exemplars.commendation.created": _("表彰居民"),
    "mediation.case.opened": _("受理人民调解"),
    "mediation.party.added": _("登记调解当事人"),
    "mediation.session.recorded": _("记录调解"),
    "mediation.case.concluded": _("记录调解结果"),
    "mediation.case.signed_copy": _("上传签字的调解协议书"),
    "mediation.follow_up.recorded": _("记录调解回访"),
    # work reports
    "reports.report.saved": _("保存工作报告"),
    # compounds
    "compounds.committee_term.created": _("登记业主委员会任期"),
    "compounds.committee_member.added": _("登记业主委员会成员"),
    "compounds.property_contract.created": _("登记物业服务合同"),
    "compounds.property_contract.ended": _("物业服务合同提前终止"),
    "compounds.committee_term.ended": _("业主委员会任期提前终止"),
    "compounds.property_staff.added": _("登记物业服务人员"),
    "compounds.self_management.created": _("成立小区自治管理小组"),
    "compounds.steward.added": _("登记小区自治管家"),
    "compounds.meeting.recorded": _("记录小区议事会议"),
    "compounds.notice.posted": _("发布小区公告"),
    "compounds.poll.created": _("发起物业服务满意度调查"),
    "compounds.item.routed": _("物业类诉求转小区办理"),
    "compounds.duty_shift.added": _("安排驿站值班"),
    "compounds.duty_shift.removed": _("取消驿站值班"),
    "activities.activity.created": _("新建活动"),
    "activities.activity.updated": _("修改活动"),
    "activities.activity.published": _("发布活动"),
    "activities.activity.cancelled": _("取消活动"),
    "activities.activity.finished": _("结束活动"),
    "activities.signup.created": _("活动报名"),
    "activities.signup.cancelled": _("取消活动报名"),
    "activities.check_in.recorded": _("活动签到"),
    "activities.quiz.question_added": _("设置竞答题目"),
    "activities.quiz.submitted": _("提交有奖竞答"),
    "activities.group.created": _("新建志愿服务组织"),
    "activities.group.member_added": _("志愿服务组织添加成员"),
    "points.transaction.earned": _("获得爱心积分"),
    "points.transaction.corrected": _("更正爱心积分"),
    "points.transaction.reversed": _("冲销爱心积分"),
    "points.item.created": _("新增积分超市商品"),
    "points.item.updated": _("修改积分超市商品"),
    "points.redemption.placed": _("兑换积分超市商品"),
    "points.redemption.handed_over": _("积分兑换已领取"),
    "points.redemption.cancelled": _("取消积分兑换"),
    "wishes.wish.submitted": _("提交微心愿"),
    "wishes.wish.published": _("发布微心愿"),
    "wishes.wish.rejected": _("微心愿审核未通过"),
    "wishes.wish.claimed": _("认领微心愿"),
    "wishes.wish.released": _("放弃认领微心愿"),
    "wishes.wish.fulfilled": _("微心愿送达"),
    "wishes.wish.confirmed": _("确认微心愿实现"),
    "wishes.wish.thanked": _("微心愿致谢"),
    # deliberation
    "deliberation.matter.created": _("立项议题"),
    "deliberation.matter.moved": _("议题进入下一环节"),
    "deliberation.matter.visited": _("记录议题走访（摸）"),
    "deliberation.matter.objected": _("公示期内提出异议"),
    "deliberation.matter.voted": _("议题满意度评议"),
    "deliberation.meeting.created": _("登记会议"),
    "deliberation.meeting.invited": _("添加参会人员"),
    "deliberation.meeting.signed_in": _("会议签到"),
    "deliberation.meeting.minutes_recorded": _("记录会议纪要"),
    "deliberation.decision.created": _("记录会议决定并分派任务"),
    "deliberation.task.created": _("分派任务"),
    "deliberation.task.completed": _("任务完成"),
    "deliberation.task.reminded": _("任务到期提醒"),
    "deliberation.corner.created": _("设立议事角"),
    "deliberation.topic.proposed": _("提出协商议题"),
    "deliberation.topic.approved": _("采纳协商议题"),
    "deliberation.topic.rejected": _("不采纳协商议题"),
    "deliberation.talent.proposed": _("推荐社区能人"),
    "deliberation.talent.approved": _("能人入库"),
    "deliberation.talent.rejected": _("能人未入库"),
    "deliberation.talent.consented": _("记录能人同意公开"),
    # surveys
    "surveys.questionnaire.created": _("新建问卷"),
    "surveys.questionnaire.question_added": _("问卷添加题目"),
    "surveys.campaign.created": _("新建入户调查"),
    "surveys.campaign.closed": _("结束入户调查"),
    "surveys.assignment.created": _("分配走访任务"),
    "surveys.visit.recorded": _("记录入户走访"),
    "surveys.response.recorded": _("记录问卷答卷"),
    "surveys.response.reviewed": _("复核重复答卷"),
    "surveys.base_survey.created": _("新建楼栋摸排"),
    "surveys.building.surveyed": _("记录楼栋摸排"),
    "surveys.visit_log.recorded": _("记录民情日志"),
    # Open311
    "open311.api_key.issued": _("签发Open311接口密钥"),
    "open311.request.submitted": _("通过Open311提交诉求"),
    # urban renewal
    "renewal.project.created": _("城市更新项目立项"),
    "renewal.project.updated": _("修改城市更新项目"),
    "renewal.project.places_set": _("调整更新项目涉及的楼栋"),
    "renewal.project.units_set": _("调整更新项目参与单位"),
    "renewal.funding.added": _("登记更新项目资金来源"),
    "renewal.milestone.added": _("登记更新项目节点"),
    "renewal.milestone.done": _("更新项目节点完成"),
    "renewal.document.added": _("上传更新项目资料"),
    "renewal.phase.closed": _("更新项目阶段完成"),
    "renewal.round.drafted": _("形成方案版本"),
    "renewal.round.published": _("方案下发征求意见"),
    "renewal.round.closed": _("方案意见征集结束"),
    "renewal.round.decided": _("方案形成决定"),
    "renewal.opinion.submitted": _("提交方案意见"),
    "renewal.opinion.linked": _("民意诉求关联到更新项目"),
    "renewal.opinion.answered": _("答复方案意见"),
}
# The areas of the log, by the first word of an action.
AREA_LABELS = {
    "places": _("居民登记"),
    "register": _("登记表导入导出"),
    "orgs": _("组织与岗位"),
    "accounts": _("账号与登录"),
    "voices": _("居民诉求"),
    "wishes": _("微心愿"),
    "deliberation": _("议事协商"),
    "surveys": _("入户调查"),
    "open311": _("Open311"),
    "renewal": _("城市更新"),
    "core": _("系统"),
}
# Words for the fields an event's changes name, for reading them under the sentence.
FIELD_LABELS = {
    "kind": _("类别"),
    "node": _("地点"),
    "user": _("账号"),
    "username": _("用户名"),
    "display_name": _("姓名"),
    "holder_name": _("任职人"),
    "resident": _("居民"),
    "started_on": _("任职日期"),
    "ended_on": _("离任日期"),
    "successor": _("接任人"),
    "role": _("角色"),
    "former_leader": _("原队长"),
    "community": _("社区"),
    "communities": _("共建社区"),
    "unit": _("共建单位"),
    "name": _("名称"),
    "short_name": _("简称"),
    "offers": _("可提供的资源与服务"),
    "in_alliance": _("党建联盟成员"),
    "contact": _("联系人"),
    "title": _("职务"),
    "phone": _("电话"),
    "household": _("住户"),
    "status": _("状态"),
    "reason": _("事由"),
    "note": _("说明"),
    "field": _("查看项"),
    "count": _("人数"),
    "ip": _("来源地址"),
    "year": _("年份"),
    "periods": _("放假安排"),
    "make_up_days": _("调休上班日"),
    "source": _("依据"),
    "days": _("延长工作日数"),
    "due_at": _("时限"),
    "message": _("督办意见"),
    "manual": _("手动督办"),
}


# Ids kept for following a record, not for reading.
HIDDEN_FIELDS = {"resident_id", "household_id", "successor_post_id", "handed_over_from"}
# Words for coded values, by field: the apps register their choices (``register_values``),
# since ``core`` knows no app's codes.
VALUE_LABELS: dict[str, dict[str, str]] = {}


def register_values(field: str, choices) -> None:
    """Say how the coded values of ``field`` read (``choices`` as a model's ``choices``)."""
    VALUE_LABELS.setdefault(field, {}).update(dict(choices))


def action_choices() -> list:
    """The filter's options: every action under its area, each area also as a whole."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for action in sorted(ACTION_LABELS):
        groups.setdefault(action.split(".", 1)[0], []).append((action, str(ACTION_LABELS[action])))
    choices: list = [("", str(_("全部动作")))]
    for area, label in AREA_LABELS.items():
        if area in groups:
            whole = (area, str(_("%(area)s（全部）") % {"area": label}))
            choices.append((str(label), [whole, *groups[area]]))
    return choices


def change_rows(event: AuditEvent) -> list[tuple[str, str]]:
    """An event's changes as (field, what) pairs a person reads: ``old → new`` where the
    event changed a value (``diff`` writes those as pairs), the value itself otherwise."""
    changed = event.action.endswith((".updated", ".role_changed"))
    rows = []
    # In the labels' order, whatever order the database keeps a JSON object's keys in
    # (PostgreSQL's jsonb keeps its own).
    order = {key: i for i, key in enumerate(FIELD_LABELS)}
    changes = event.changes or {}
    for key in sorted(changes, key=lambda k: (order.get(k, len(order)), k)):
        value = changes[key]
        if key in HIDDEN_FIELDS:
            continue
        label = str(FIELD_LABELS.get(key, key))
        words = VALUE_LABELS.get(key, {})
        pair = isinstance(value, list) and len(value) == 2
        if pair and (changed or all(isinstance(v, list) for v in value)):
            text = f"{_shown(value[0], words)} → {_shown(value[1], words)}"
        else:
            text = _shown(value, words)
        rows.append((label, text))
    return rows


def _shown(value, words=None) -> str:
    words = words or {}
    if value is None or value == "":
        return "—"
    if value is True:
        return str(_("是"))
    if value is False:
        return str(_("否"))
    if isinstance(value, list):
        return "、".join(_shown(v, words) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{k}：{_shown(v)}" for k, v in value.items())
    if isinstance(value, str) and value in words:
        return str(words[value])
    return str(value)


# The last word of an action nobody has labelled yet (a new one), so the log still reads.
VERB_LABELS = {
    "created": _("新建"),
    "updated": _("修改"),
    "deleted": _("删除"),
    "revealed": _("查看完整信息"),
    "status_changed": _("变更状态"),
    "imported": _("导入"),
    "exported": _("导出"),
}


# Audited writes that may change who reaches what without a model save (see
# ``core.scoping.invalidate_scopes``).
SCOPE_CHANGING_ACTIONS = frozenset({"register.import.completed"})


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    place: models.Model | None = None,
) -> AuditEvent:
    """Write one event. ``place`` is the place node (subdistrict, community, grid...) the
    event belongs to, for records that do not say it themselves (a grid post carries no
    community id); without it the place is read from ``obj``."""
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    subdistrict_id, community_id = _region(place if place is not None else obj)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    if action in SCOPE_CHANGING_ACTIONS:
        # Bulk writes (a register import's UPDATEs) send no model signals; their audit
        # event is the one place they all pass, so the cached reach is dropped here.
        invalidate_scopes()
    return AuditEvent.objects.create(
        subdistrict_id=subdistrict_id,
        community_id=community_id,
        actor=actor if is_user else None,
        actor_label=(actor.get_username() if is_user else "system")[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes=changes or {},
        ip=current_ip(),
    )


def _region(obj) -> tuple[int | None, int | None]:
    """(subdistrict id, community id) of the region an event belongs to. A place node says
    it by its level; another record by the community column it declares for scoping
    (``scope_columns``); a record serving several communities (a partner unit) says
    nothing, and its services name the place instead."""
    if obj is None:
        return None, None
    level = getattr(type(obj), "scope_level", None)
    if level == "subdistrict":
        return obj.pk, None
    if level == "community":
        return None, obj.pk
    if level is not None:
        return None, obj.community_id
    path = getattr(type(obj), "scope_columns", {}).get("community")
    if not path:
        return None, None
    value = obj
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None, None
    return (None, value) if isinstance(value, int) else (None, None)


def diff(
    instance: models.Model,
    before: dict[str, Any],
    fields: list[str],
    *,
    masked: dict[str, Any] | None = None,
):
    """Changed fields between a snapshot and the instance, as JSON-safe strings."""
    masked = masked or {}
    out: dict[str, list[str]] = {}
    for name in fields:
        old, new = before.get(name), getattr(instance, name)
        if old != new:
            if name in masked:
                out[name] = masked[name]
            else:
                out[name] = [_jsonable(old), _jsonable(new)]
    return out


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    if label is None:
        verb = action.rsplit(".", 1)[-1]
        label = VERB_LABELS.get(verb, action)
    return str(label)


def describe(event: AuditEvent) -> str:
    """One line of readable Chinese: who did what to which record."""
    who = event.actor_label if event.actor_label != "system" else str(_("系统"))
    what = action_label(event.action)
    if event.object_repr:
        return f"{who} {what}：{event.object_repr}"
    return f"{who} {what}"
