import pytest

from gongzhi.core import workcal


@pytest.fixture(autouse=True)
def _no_holiday_schedule_outlives_its_test():
    """A schedule a test entered is rolled back with its transaction, but this process
    would go on counting by it: after each test it is told again that the database (the
    session's world) holds none."""
    yield
    workcal.reset_schedules({})
