from gongzhi.orgs import services
from gongzhi.orgs.selectors import (
    partner_list_visible_to,
    post_list_visible_to,
    team_list_visible_to,
)


def test_partner_list_per_role(world):
    services.partner_unit_create(
        actor=None, name="外社区物业", kind="enterprise", communities=[world.ot]
    )
    names = {
        role: {u.name for u in partner_list_visible_to(world.users[role])} for role in world.users
    }
    assert names["partner"] == {"攀枝花市住房和城乡建设局"}
    assert names["secretary"] == {"攀枝花市住房和城乡建设局"}
    assert names["other_staff"] == {"外社区物业"}
    assert names["admin"] == names["subdistrict"] == {"攀枝花市住房和城乡建设局", "外社区物业"}
    assert names["resident"] == names["nobody"] == set()


def test_partner_list_has_no_duplicates_for_shared_units(world):
    world.partner.communities.add(world.ot)
    assert list(partner_list_visible_to(world.users["subdistrict"])) == [world.partner]


def test_team_list_per_community(world):
    services.team_create(actor=None, community=world.wj, name="宣讲队", kind="outreach")
    assert [t.name for t in team_list_visible_to(world.users["staff"])] == ["宣讲队"]
    assert list(team_list_visible_to(world.users["other_staff"])) == []


def test_post_list_ended_posts_hidden_unless_asked(world):
    import datetime as dt

    post = world.users["grid_worker"].posts.get()
    services.post_end(actor=None, post=post, ended_on=dt.date(2021, 1, 1))
    holders = {p.holder_name for p in post_list_visible_to(world.users["secretary"])}
    assert "wj-gridworker2" not in holders
    assert "wj-gridworker2" in {
        p.holder_name for p in post_list_visible_to(world.users["secretary"], include_ended=True)
    }
    assert list(post_list_visible_to(world.users["resident"])) == []
