"""The demo's compound bodies, seeded on a small Wangjiang with its year of residents' voice."""

import pytest

from gongzhi.compounds.models import CommitteeTerm, DutyShift, PropertyContract, SelfManagement
from gongzhi.demo.seed import seed
from gongzhi.voices.models import Dispatch
from tests.world import empty_database


@pytest.fixture
def seeded(db):
    empty_database()
    return seed(seed=3, households=120, history_scale=0.25, log=lambda *a: None)


def test_ganluyuan_governs_itself_and_the_others_have_committees_and_companies(seeded):
    group = SelfManagement.objects.select_related("compound").get()
    assert group.compound.name == "甘露园"
    assert group.stewards.count() >= 1
    contracts = PropertyContract.objects.select_related("company", "compound")
    assert contracts.exists()
    assert "甘露园" not in {c.compound.name for c in contracts}
    assert {c.company.short_name for c in contracts} <= {"安居物业", "金江物业"}
    assert CommitteeTerm.objects.count() == contracts.count()
    assert DutyShift.objects.exists()
    # Property cases went to the compound's company.
    assert Dispatch.objects.filter(unit__property_contracts__isnull=False).exists()
