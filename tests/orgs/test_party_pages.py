"""Party members and the households they look after (党员联系户), on screen."""

import pytest
from django.urls import reverse

from gongzhi.core.models import AuditEvent


def text(response) -> str:
    return response.content.decode()


def test_the_list_shows_members_with_their_household_counts(world, login, member):
    member.linked_households.add(world.households["1-1-101"])
    page = text(login(world.users["staff"]).get(reverse("orgs:party")))
    assert "李四" in page and "望江街社区党委" in page
    row = page.split("李四")[1].split("</tr>")[0]
    assert '<td data-label="联系户数" class="num">1</td>' in row
    assert "李四" not in text(login(world.users["other_staff"]).get(reverse("orgs:party")))


def test_find_by_name(world, login, member):
    client = login(world.users["staff"])
    assert "共 1 名党员" in text(client.get(reverse("orgs:party"), {"name": "李"}))
    assert "共 0 名党员" in text(client.get(reverse("orgs:party"), {"name": "王"}))


def test_find_a_household_by_address_and_link_it(world, login, member):
    client = login(world.users["secretary"])
    url = reverse("orgs:party_member", args=[member.pk])
    found = text(client.post(url, {"q": "1栋1单元101"}))
    household = world.households["1-1-101"]
    assert f'name="household" value="{household.pk}"' in found
    assert f'name="household" value="{world.households["1-2-201"].pk}"' not in found
    done = client.post(
        reverse("orgs:party_member_link", args=[member.pk]), {"household": household.pk}
    )
    assert done.status_code == 302
    assert list(member.linked_households.all()) == [household]
    page = text(client.get(url))
    assert "联系的住户（1户）" in page
    # Found again, it says it is linked already rather than offering it twice.
    assert "已联系" in text(client.post(url, {"q": "1-1-101"}))


def test_a_whole_building_is_found_by_its_number(world, login, member):
    found = text(
        login(world.users["staff"]).post(
            reverse("orgs:party_member", args=[member.pk]), {"q": "1栋"}
        )
    )
    assert "1栋1单元101" in found and "1栋2单元201" in found and "2栋1单元101" not in found


def test_an_address_is_asked_for_in_its_usual_form(world, login, member):
    response = login(world.users["staff"]).post(
        reverse("orgs:party_member", args=[member.pk]), {"q": "张三"}
    )
    assert response.status_code == 400
    assert "请按“3栋2单元501”或“3-2-501”的格式输入地址。" in text(response)


def test_unlink(world, login, member):
    household = world.households["1-1-101"]
    member.linked_households.add(household)
    client = login(world.users["staff"])
    done = client.post(reverse("orgs:party_member_unlink", args=[member.pk, household.pk]))
    assert done.status_code == 302
    assert list(member.linked_households.all()) == []
    assert AuditEvent.objects.filter(action="orgs.party_member.household_unlinked").count() == 1
    again = client.post(reverse("orgs:party_member_unlink", args=[member.pk, household.pk]))
    assert again.status_code == 404


def test_a_household_out_of_reach_is_not_found(world, login, member):
    response = login(world.users["staff"]).post(
        reverse("orgs:party_member_link", args=[member.pk]),
        {"household": world.households["ot-1-1-101"].pk},
    )
    assert response.status_code == 404
    assert list(member.linked_households.all()) == []


def test_linking_without_a_household_says_so(world, login, member):
    response = login(world.users["staff"]).post(
        reverse("orgs:party_member_link", args=[member.pk]), {}
    )
    assert response.status_code == 400
    assert "请先查找并选中住户。" in text(response)


@pytest.mark.parametrize(
    ("role", "status"),
    [("secretary", 200), ("subdistrict", 200), ("other_staff", 404), ("grid", 404)],
)
def test_who_may_open_a_member(world, login, member, role, status):
    client = login(world.users[role])
    assert client.get(reverse("orgs:party_member", args=[member.pk])).status_code == status
    client.post(
        reverse("orgs:party_member_link", args=[member.pk]),
        {"household": world.households["1-1-101"].pk},
    )
    assert member.linked_households.exists() == (status == 200)
