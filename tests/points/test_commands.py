"""reconcile_points and expire_points, and the scheduled expiry."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongzhi.points.models import Account, Transaction
from gongzhi.points.tasks import expire as expire_task

from .conftest import at


def test_reconcile_points_is_quiet_on_a_balanced_ledger_and_fails_on_a_difference(
    world, zhangsan, earn
):
    earn()
    out = io.StringIO()
    call_command("reconcile_points", stdout=out)
    assert out.getvalue() == "积分账目平衡：没有差异。\n"
    Account.objects.filter(code=f"resident:{zhangsan.pk}").update(balance=3)
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("reconcile_points", stdout=out)
    assert exc.value.returncode == 1
    assert out.getvalue() == f"账户 resident:{zhangsan.pk}：缓存余额 3，分录合计 10\n"


def test_expire_points_posts_once(world, zhangsan, earn):
    earn(hours=2, on=at(2020, 5, 1))
    out = io.StringIO()
    call_command("expire_points", "--on", "2022-01-01", stdout=out)
    assert out.getvalue() == "过期交易 1 笔，共 20 分。\n"
    out = io.StringIO()
    call_command("expire_points", "--on", "2022-01-02", stdout=out)
    assert out.getvalue() == "过期交易 0 笔，共 0 分。\n"
    assert expire_task() == 0
    assert Transaction.objects.filter(kind="expire").count() == 1
