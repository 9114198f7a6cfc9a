"""Numbers as officials write them in a work report.

The 余 rule (``approx``): a count is rounded *down* to a round step and followed by 余
("more than"), as in "130余场", "1000余条", "5000余人次":

- below 10: exact ("7场");
- 10 to 999: down to the ten ("72" → "70余", "138" → "130余", "115" → "110余");
- 1,000 to 9,999: down to the thousand ("1164" → "1000余", "2804" → "2000余",
  "5559" → "5000余");
- 10,000 and over: down to two significant figures ("12345" → "12000余",
  "123456" → "120000余").

A count that is already on its step is written exactly, without 余 ("130", "5000"): 余
would claim more than there is. Rates keep their two decimals and a per cent sign
("96.93%"), never rounded to 余.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def step_of(n: int) -> int:
    """The round step a count of ``n`` is written down to (1: written exactly)."""
    if n < 10:
        return 1
    if n < 1000:
        return 10
    if n < 10000:
        return 1000
    return 10 ** (len(str(n)) - 2)


def approx(n: int) -> str:
    """``n`` in the 余 convention (see the module's docstring)."""
    n = int(n)
    if n < 0:
        raise ValueError("a count is never negative")
    step = step_of(n)
    down = n - n % step
    return str(down) if down == n else f"{down}余"


def rate(value: Decimal | float | int) -> str:
    """A percentage with two decimals: 96.93%."""
    d = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{d}%"


def exact(n: int) -> str:
    return str(int(n))
