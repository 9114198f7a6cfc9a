"""The ledger through its services: earning, spending oldest lots first, expiry at the end
of the following year, reversals, corrections, and the refusals in Chinese."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from gongzhi.points import services
from gongzhi.points.enums import AccountKind, RedemptionStatus, Relation, TxnKind
from gongzhi.points.models import Account, EarningRule, Entry, Redemption, Transaction

from .conftest import NOW, at


def balance(resident) -> int:
    return services.resident_account(resident).balance


def test_the_default_rules_are_seeded(db):
    assert sorted(EarningRule.objects.values_list("code", flat=True)) == [
        "activity_attendance",
        "quiz_correct",
        "service_hour",
    ]


def test_missing_default_rules_are_written_again_and_edited_ones_kept(db):
    EarningRule.objects.filter(code="quiz_correct").delete()
    EarningRule.objects.filter(code="service_hour").update(points=12)
    services.ensure_default_rules()
    assert dict(EarningRule.objects.values_list("code", "points")) == {
        "activity_attendance": 5,
        "quiz_correct": 1,
        "service_hour": 12,
    }


def test_award_posts_a_balanced_transaction_once_per_key(world, zhangsan):
    txn = services.award(
        actor=None, resident=zhangsan, rule_code="service_hour", quantity=2.5, key="k1", on=NOW
    )
    assert txn.kind == TxnKind.EARN
    assert sorted(txn.entries.values_list("amount", "earned_year")) == [(-25, 2026), (25, 2026)]
    again = services.award(
        actor=None, resident=zhangsan, rule_code="service_hour", quantity=2.5, key="k1", on=NOW
    )
    assert again.pk == txn.pk
    assert Transaction.objects.count() == 1
    assert balance(zhangsan) == 25
    issuance = Account.objects.get(code=f"issuance:{world.wj.pk}")
    assert (issuance.kind, issuance.balance) == (AccountKind.ISSUANCE, -25)
    assert services.reconcile() == []


def test_award_gives_none_without_an_active_rule_or_points(zhangsan):
    assert services.award(actor=None, resident=zhangsan, rule_code="nope", key="a") is None
    assert (
        services.award(actor=None, resident=zhangsan, rule_code="quiz_correct", quantity=0, key="b")
        is None
    )
    EarningRule.objects.filter(code="quiz_correct").update(is_active=False)
    assert services.award(actor=None, resident=zhangsan, rule_code="quiz_correct", key="c") is None
    assert Transaction.objects.count() == 0


def test_spending_takes_the_oldest_lot_first(world, zhangsan, earn, item):
    earn(hours=2, on=at(2025, 3, 1))  # 20 points of 2025
    earn(hours=3, on=at(2026, 2, 1))  # 30 points of 2026
    redemption = services.redeem(actor=None, resident=zhangsan, item=item, key="r1", on=NOW)
    mine = redemption.transaction.entries.filter(amount__lt=0)
    assert sorted(mine.values_list("earned_year", "amount")) == [(2025, -20), (2026, -10)]
    assert services.lots(services.resident_account(zhangsan)) == {2026: 20}
    item.refresh_from_db()
    assert item.stock == 4


def test_points_expire_at_the_end_of_the_following_year(world, zhangsan, earn):
    earn(hours=2, on=at(2024, 5, 1))
    earn(hours=1, on=at(2025, 5, 1))
    assert services.expire(on=at(2025, 12, 31, 23, 0)) == []
    posted = services.expire(on=at(2026, 1, 1, 0, 5))
    assert [(t.kind, t.entries.get(amount__lt=0).amount) for t in posted] == [(TxnKind.EXPIRE, -20)]
    assert services.expire(on=at(2026, 1, 2)) == []  # idempotent
    assert balance(zhangsan) == 10
    assert Account.objects.get(code=f"expiry:{world.wj.pk}").balance == 20
    assert services.reconcile() == []


def test_points_of_an_expired_lot_cannot_be_spent(world, zhangsan, earn, item):
    earn(hours=5, on=at(2024, 5, 1))
    with pytest.raises(ValidationError) as exc:
        services.redeem(actor=None, resident=zhangsan, item=item, key="r", on=NOW)
    assert "积分不足" in exc.value.messages[0]


def test_a_spend_beyond_the_balance_is_refused_and_writes_nothing(world, zhangsan, earn, item):
    earn(hours=2)
    before = (Transaction.objects.count(), Entry.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.redeem(actor=None, resident=zhangsan, item=item, key="r", on=NOW)
    assert exc.value.messages == ["积分不足：需要30分，可用20分。"]
    assert (Transaction.objects.count(), Entry.objects.count()) == before
    item.refresh_from_db()
    assert item.stock == 5 and not Redemption.objects.exists()


def test_the_last_one_then_none_left(world, zhangsan, earn, item):
    earn(hours=20)
    item.stock = 1
    item.save()
    services.redeem(actor=None, resident=zhangsan, item=item, key="a", on=NOW)
    with pytest.raises(ValidationError) as exc:
        services.redeem(actor=None, resident=zhangsan, item=item, key="b", on=NOW)
    assert exc.value.messages == ["“大米一袋”已兑完。"]
    assert balance(zhangsan) == 170


def test_the_same_redemption_twice_charges_once(world, zhangsan, earn, item):
    earn(hours=10)
    first = services.redeem(actor=None, resident=zhangsan, item=item, key="tok", on=NOW)
    second = services.redeem(actor=None, resident=zhangsan, item=item, key="tok", on=NOW)
    assert first.pk == second.pk
    assert balance(zhangsan) == 70
    item.refresh_from_db()
    assert item.stock == 4


def test_cancel_refunds_by_a_reversal_and_restores_stock(world, zhangsan, earn, item):
    earn(hours=10)
    redemption = services.redeem(
        actor=world.users["resident"], resident=zhangsan, item=item, key="t", on=NOW
    )
    cancelled = services.redemption_cancel(
        actor=world.users["staff"], redemption=redemption, reason="商品缺货"
    )
    assert cancelled.status == RedemptionStatus.CANCELLED
    assert cancelled.refund.reverses_id == redemption.transaction_id
    assert balance(zhangsan) == 100
    item.refresh_from_db()
    assert item.stock == 5
    with pytest.raises(ValidationError) as exc:
        services.redemption_hand_over(actor=world.users["staff"], redemption=redemption)
    assert exc.value.messages == ["这条兑换当前为“已取消”，不能再领取。"]
    assert services.reconcile() == []


def test_hand_over_is_for_those_who_manage_the_shop(world, zhangsan, earn, item):
    earn(hours=10)
    redemption = services.redeem(actor=None, resident=zhangsan, item=item, key="t", on=NOW)
    with pytest.raises(PermissionDenied):
        services.redemption_hand_over(actor=world.users["grid"], redemption=redemption)
    done = services.redemption_hand_over(actor=world.users["staff"], redemption=redemption)
    assert done.status == RedemptionStatus.HANDED_OVER
    with pytest.raises(ValidationError):
        services.redemption_cancel(actor=world.users["staff"], redemption=redemption)


def test_a_volunteer_or_family_redeems_for_an_elder_and_it_is_written(world, zhangsan, earn, item):
    earn(hours=10)
    by_worker = services.redeem(
        actor=world.users["grid"], resident=zhangsan, item=item, key="v", on=NOW
    )
    assert by_worker.relation == Relation.VOLUNTEER
    assert by_worker.transaction.on_behalf_of_id == zhangsan.pk
    assert by_worker.transaction.actor_id == world.users["grid"].pk
    with pytest.raises(Exception) as exc:
        services.redeem(
            actor=world.users["other_staff"], resident=zhangsan, item=item, key="x", on=NOW
        )
    assert exc.typename == "Http404"


def test_a_reversal_of_spent_points_is_refused(world, zhangsan, earn, item):
    txn = earn(hours=3)
    services.redeem(actor=None, resident=zhangsan, item=item, key="t", on=NOW)
    with pytest.raises(ValidationError) as exc:
        services.reverse(actor=None, txn=txn)
    assert exc.value.messages == ["这笔积分已经用掉了，不能冲销。"]
    assert services.reconcile() == []


def test_a_correction_needs_a_reason_and_the_right(world, zhangsan, earn):
    earn(hours=1)
    with pytest.raises(ValidationError) as exc:
        services.correct(
            actor=world.users["staff"], resident=zhangsan, amount=5, reason="", key="c"
        )
    assert exc.value.message_dict == {"reason": ["请写明更正的原因。"]}
    with pytest.raises(PermissionDenied):
        services.correct(
            actor=world.users["grid"], resident=zhangsan, amount=5, reason="补录", key="c"
        )
    with pytest.raises(ValidationError) as exc:
        services.correct(
            actor=world.users["staff"], resident=zhangsan, amount=-50, reason="多记", key="c"
        )
    assert exc.value.messages == ["积分不足：这位居民只有10分可扣。"]
    services.correct(
        actor=world.users["staff"], resident=zhangsan, amount=-4, reason="多记", key="d"
    )
    assert balance(zhangsan) == 6
    assert services.reconcile() == []


def test_the_posting_function_refuses_an_unbalanced_transaction(world, zhangsan):
    account = services.resident_account(zhangsan)
    with pytest.raises(ValueError):
        services._post(
            kind=TxnKind.CORRECT,
            key="bad",
            community_id=world.wj.pk,
            lines=[(account, 5, 2026)],
            at=NOW,
        )
    assert not Transaction.objects.exists()


def test_entries_are_never_changed(world, zhangsan, earn):
    txn = earn()
    entry = txn.entries.first()
    entry.amount = 99
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        Entry.objects.filter(pk=entry.pk).update(amount=99)
    with pytest.raises(TypeError):
        txn.delete()


@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_an_update_written_around_the_model(world, zhangsan, earn):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL")
    from django.db import DatabaseError

    txn = earn()
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("UPDATE points_entry SET amount = 99 WHERE transaction_id = %s", [txn.pk])


def test_reconcile_reports_a_tampered_cache(world, zhangsan, earn):
    earn()
    Account.objects.filter(code=f"resident:{zhangsan.pk}").update(balance=999)
    assert services.reconcile() == [f"账户 resident:{zhangsan.pk}：缓存余额 999，分录合计 10"]


def test_a_family_member_redeems_for_the_elder_of_their_household(world, zhangsan, earn, item):
    from gongzhi.places import services as places
    from tests.world import make_user

    daughter = places.resident_create(
        actor=None, household=world.households["1-1-101"], name="张小妹", relation="child"
    )
    login = make_user("zhang-daughter", resident=daughter)
    earn(hours=10)
    r = services.redeem(actor=login, resident=zhangsan, item=item, key="f", on=NOW)
    assert (r.relation, r.transaction.relation, r.transaction.on_behalf_of) == (
        Relation.FAMILY,
        Relation.FAMILY,
        zhangsan,
    )
    # A neighbour in another household is nobody to him.
    lisi = make_user("lisi-login", resident=world.residents["lisi"])
    with pytest.raises(Exception) as exc:
        services.redeem(actor=lisi, resident=zhangsan, item=item, key="n", on=NOW)
    assert exc.typename == "Http404"
