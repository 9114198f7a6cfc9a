import pytest

from gongzhi.core import workcal


@pytest.fixture(autouse=True)
def _holiday_schedules_read_afresh():
    """A schedule a test entered is rolled back with its transaction, but this process
    would keep counting by it: every test reads the entered schedules anew."""
    workcal.forget_schedules()
    yield
    workcal.forget_schedules()
