"""The 余 rule and the rates, as officials write them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongzhi.reports.prose import approx, rate


@pytest.mark.parametrize(
    "n, written",
    [
        (0, "0"),
        (7, "7"),
        (10, "10"),
        (72, "70余"),
        (115, "110余"),
        (130, "130"),
        (138, "130余"),
        (999, "990余"),
        (1000, "1000"),
        (1164, "1000余"),
        (2804, "2000余"),
        (5559, "5000余"),
        (12345, "12000余"),
        (123456, "120000余"),
    ],
)
def test_a_count_is_written_down_to_its_step_with_yu(n, written):
    assert approx(n) == written


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError):
        approx(-1)


@pytest.mark.parametrize(
    "value, written",
    [(Decimal("96.93"), "96.93%"), (Decimal("100"), "100.00%"), (93.175, "93.18%"), (0, "0.00%")],
)
def test_a_rate_keeps_two_decimals(value, written):
    assert rate(value) == written
