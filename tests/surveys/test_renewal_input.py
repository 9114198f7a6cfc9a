"""A household survey over a renewal project's buildings is resident input for closing
the project's phase; a survey elsewhere, or one without a valid answer, is not."""

from __future__ import annotations

from gongzhi.renewal import inputs
from gongzhi.renewal import services as renewal


def _phase(world, buildings):
    admin = world.users["admin"]
    project = renewal.project_create(
        actor=admin, community=world.wj, kind="elevator", name="加装电梯"
    )
    renewal.project_set_places(actor=admin, project=project, buildings=buildings)
    return project.phases.order_by("order").first()


def test_a_survey_over_the_projects_buildings_counts_once_it_has_a_valid_answer(
    world, survey, answer
):
    phase = _phase(world, [world.b1])
    assert "入户调查还没有有效答卷" in inputs.missing_input(phase)
    answer()
    assert inputs.missing_input(phase) is None


def test_a_survey_elsewhere_does_not_count(world, survey, answer):
    from gongzhi.places.models import Building, Entrance

    answer()
    other = Building.objects.create(
        community=world.wj, grid=world.b1.grid, compound=world.b1.compound, number="99", floors=6
    )
    Entrance.objects.create(
        building=other,
        community=world.wj,
        grid=world.b1.grid,
        compound=world.b1.compound,
        number=1,
    )
    phase = _phase(world, [other])
    assert "还没有覆盖项目楼栋的入户调查" in inputs.missing_input(phase)
