"""The demo's mediations, seeded on a small Wangjiang with its year of residents' voice."""

import pytest

from gongzhi.demo.seed import seed
from gongzhi.mediation import selectors
from gongzhi.mediation.models import Case
from tests.world import empty_database


@pytest.fixture
def seeded(db):
    empty_database()
    return seed(seed=3, households=120, history_scale=0.25, log=lambda *a: None)


def test_a_year_of_mediation_with_mixed_outcomes(seeded):
    cases = Case.objects.all()
    assert 25 <= cases.count() <= 30
    statuses = set(cases.values_list("status", flat=True))
    assert {"agreed", "failed", "referred", "in_mediation"} <= statuses
    assert cases.filter(follow_ups__status="kept").exists()
    figures = selectors.figures(cases)
    assert figures.agreements >= 10 and figures.median_days is not None
    assert cases.filter(item__category__code="neighbour_dispute").count() >= 3
