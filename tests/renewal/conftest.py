import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.renewal import services


@pytest.fixture
def project(world):
    """An elevator retrofit of building 1 (both entrances: 张三 and 李四), run by staff."""
    staff = world.users["staff"]
    p = services.project_create(
        actor=staff, community=world.wj, kind="elevator", name="1栋加装电梯", budget="800000"
    )
    services.project_set_places(actor=staff, project=p, buildings=[world.b1])
    return p


@pytest.fixture
def open_round(world, project):
    staff = world.users["staff"]
    rnd = services.round_draft(
        actor=staff, project=project, title="第一版", summary="电梯装在北侧", text="北侧加装"
    )
    return services.round_publish(
        actor=staff, round=rnd, closes_at=timezone.now() + dt.timedelta(days=7)
    )
