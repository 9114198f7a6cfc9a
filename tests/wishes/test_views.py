"""The wish pages: three steps for the resident, kept text on refusal, escaped text, the
anonymous wall, the staff queue, the sponsor's claim and fulfilment."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from gongzhi.wishes import services
from gongzhi.wishes.models import Wish, WishClaim

from .conftest import PNG

SCRIPT = '<script>alert("x")</script><b onclick="y()">粗</b>'


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def _visible_text(response) -> str:
    return re.sub(r"<[^>]+>", " ", _main(response))


def test_a_resident_makes_a_wish_in_three_steps(world, login):
    client = login(world.users["resident"])
    new = reverse("wishes:new")
    step1 = client.get(new)
    assert step1.status_code == 200
    assert "第1步" in step1.content.decode()
    assert step1.content.decode().count('class="choice"') == 6

    step2 = client.get(new, {"category": "daily_goods"})  # click 1: a category
    assert step2.status_code == 200 and "第2步" in step2.content.decode()
    assert 'value="daily_goods"' in step2.content.decode()

    step3 = client.post(  # click 2: 下一步
        new, {"category": "daily_goods", "text": "想要一个放大镜，看报纸用。", "action": "review"}
    )
    assert step3.status_code == 200 and "第3步" in step3.content.decode()
    assert "想要一个放大镜，看报纸用。" in _main(step3)
    assert Wish.objects.count() == 0

    done = client.post(  # click 3: 确认提交
        new, {"category": "daily_goods", "text": "想要一个放大镜，看报纸用。", "action": "save"}
    )
    wish = Wish.objects.get()
    assert done.status_code == 302 and done.url == reverse("wishes:done", args=[wish.pk])
    page = client.get(done.url)
    assert "心愿已提交" in page.content.decode()
    assert (wish.resident, wish.category, wish.channel) == (
        world.residents["zhangsan"],
        "daily_goods",
        "online",
    )
    mine = client.get(reverse("wishes:mine"))
    assert "想要一个放大镜，看报纸用。" in _main(mine)
    assert "待审核" in _main(mine)


@pytest.mark.parametrize(
    ("text", "error"),
    [("愿" * 501, "不能超过500个字，现在是501个字。"), ("   ", "请说说您的心愿。")],
)
@pytest.mark.parametrize("action", ["review", "save"])
def test_the_typed_text_survives_a_refusal(world, login, text, error, action):
    client = login(world.users["resident"])
    response = client.post(
        reverse("wishes:new"), {"category": "health", "text": text, "action": action}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    assert 'aria-invalid="true"' in html
    if text.strip():
        assert text in html
    assert 'name="category" value="health"' in html
    assert Wish.objects.count() == 0


def test_editing_from_the_confirm_step_keeps_the_text(world, login):
    client = login(world.users["resident"])
    response = client.post(
        reverse("wishes:new"),
        {"category": "study", "text": "孙子想要一本字典\n第二行", "action": "edit"},
    )
    assert response.status_code == 200
    assert "孙子想要一本字典\n第二行</textarea>" in response.content.decode()


def test_an_unknown_category_goes_back_to_step_one(world, login):
    client = login(world.users["resident"])
    response = client.get(reverse("wishes:new"), {"category": "food"})
    assert response.status_code == 400
    assert "请选择心愿的类别。" in response.content.decode()
    response = client.post(
        reverse("wishes:new"), {"category": "food", "text": "想要", "action": "save"}
    )
    assert response.status_code == 400
    assert "请选择心愿的类别。" in response.content.decode()
    assert Wish.objects.count() == 0


def test_html_in_a_wish_is_shown_inert_everywhere(world, sponsors, login, client):
    wish = services.wish_submit(
        actor=world.users["resident"],
        resident=world.residents["zhangsan"],
        category="other",
        text=SCRIPT,
    )
    pages = [
        (world.users["resident"], reverse("wishes:detail", args=[wish.pk])),
        (world.users["resident"], reverse("wishes:done", args=[wish.pk])),
        (world.users["resident"], reverse("wishes:mine")),
        (world.users["grid"], reverse("wishes:queue")),
    ]
    confirm = login(world.users["resident"]).post(
        reverse("wishes:new"), {"category": "other", "text": SCRIPT, "action": "review"}
    )
    for response in [confirm] + [login(u).get(url) for u, url in pages]:
        html = response.content.decode()
        assert "<script>alert" not in html and "<b onclick" not in html
        assert "&lt;script&gt;alert(" in html
    services.wish_publish(actor=world.users["grid"], wish=wish)
    client.logout()
    for url in [reverse("wishes:wall")]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "&lt;script&gt;alert(" in html
    html = login(world.users["partner"]).get(reverse("wishes:sponsor")).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(" in html


def test_the_wall_is_public_and_shows_nobody(world, sponsors, make_wish, client):
    waiting = make_wish("published", text="想要一个放大镜，看报纸用。")
    taken = make_wish("claimed", category="repair", text="电视机坏了，想请人修一修。")
    done = make_wish("confirmed", category="companionship", text="想有人陪我聊聊天。")
    services.wish_thank(
        actor=world.users["resident"], wish=done, text="谢谢住建局的同志！", public=True
    )
    response = client.get(reverse("wishes:wall"))
    assert response.status_code == 200
    text = _visible_text(response)
    for public in [waiting.text, taken.text, "谢谢住建局的同志！", "望江街社区 1栋 的一位老人"]:
        assert public in text
    assert "市住建局认领" in text
    html = response.content.decode()
    for private in ["张三", "13812345678", "138****5678", "5678", "101", "1单元", "甘露园"]:
        assert private not in html, private
    for figure in ["等待认领 1 个", "正在实现 1 个", "已经实现 1 个"]:
        assert figure in text


def test_a_private_story_stays_off_the_wall(world, sponsors, make_wish, client):
    done = make_wish("confirmed")
    services.wish_thank(
        actor=world.users["resident"], wish=done, text="只想说给社区听", public=False
    )
    assert "只想说给社区听" not in client.get(reverse("wishes:wall")).content.decode()


def test_party_members_are_not_named_on_the_wall(world, sponsors, make_wish, client):
    make_wish("claimed", sponsor="party")
    text = _visible_text(client.get(reverse("wishes:wall")))
    assert "一位党员认领" in text and "李四" not in text


def test_the_staff_queue_publishes_and_rejects(world, make_wish, login):
    first, second = make_wish(), make_wish(text="想要一台收音机")
    client = login(world.users["grid"])
    page = client.get(reverse("wishes:queue"))
    assert "张三" in _main(page) and "待审核 2 个" in _main(page)
    response = client.post(
        reverse("wishes:publish", args=[first.pk]), {"public_text": "想要一个放大镜"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.status, first.public_text) == ("published", "想要一个放大镜")
    refused = client.post(reverse("wishes:reject", args=[second.pk]), {"reason": ""})
    assert refused.status_code == 400
    assert "请写明未通过的原因，居民会看到。" in refused.content.decode()
    bad = client.post(
        reverse("wishes:publish", args=[second.pk]), {"public_text": "张三想要收音机"}
    )
    assert bad.status_code == 400
    assert "张三想要收音机</textarea>" in bad.content.decode()
    assert "公开的内容里不能有姓名、电话或门牌号" in bad.content.decode()


def test_the_building_chief_sees_the_queue_but_may_not_verify(world, make_wish, login):
    wish = make_wish()
    client = login(world.users["building"])
    assert client.post(reverse("wishes:publish", args=[wish.pk]), {}).status_code == 403
    assert client.get(reverse("wishes:detail", args=[wish.pk])).status_code == 200


def test_a_leader_enters_a_wish_for_a_resident(world, login):
    client = login(world.users["building"])
    found = client.get(reverse("wishes:for_pick"), {"q": "张三"})
    assert (
        reverse("wishes:new_for", args=[world.residents["zhangsan"].pk]) in found.content.decode()
    )
    nobody = _main(client.get(reverse("wishes:for_pick"), {"q": "王五"}))
    assert "没有找到“王五”" in nobody and 'class="results"' not in nobody
    url = reverse("wishes:new_for", args=[world.residents["zhangsan"].pk])
    step2 = client.get(url, {"category": "companionship"})
    assert "收集方式" in step2.content.decode() and "为 张三 许愿" in step2.content.decode()
    data = {"category": "companionship", "text": "想有人陪着去复查", "channel": "paper"}
    assert client.post(url, {**data, "action": "review"}).status_code == 200
    done = client.post(url, {**data, "action": "save"})
    wish = Wish.objects.get()
    assert done.url == reverse("wishes:done", args=[wish.pk])
    assert (wish.channel, wish.entered_by) == ("paper", world.users["building"])
    assert "已为 张三 提交心愿" in client.get(done.url).content.decode()
    outside = reverse("wishes:new_for", args=[world.residents["wangwu"].pk])
    assert client.get(outside, {"category": "other"}).status_code == 404


def test_claim_on_the_page_and_the_kind_refusal(world, sponsors, make_wish, login):
    wish = make_wish("published")
    partner = login(world.users["partner"])
    page = partner.get(reverse("wishes:sponsor"))
    assert "我来认领" in page.content.decode()
    response = partner.post(reverse("wishes:claim", args=[wish.pk]), follow=True)
    assert "认领成功" in response.content.decode()
    party = login(world.users["party"])
    response = party.post(reverse("wishes:claim", args=[wish.pk]), follow=True)
    assert "这个心愿已被认领，谢谢您的爱心！" in response.content.decode()
    assert WishClaim.objects.filter(wish=wish).count() == 1


def test_fulfil_with_a_photo_on_the_page(world, sponsors, make_wish, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    wish = make_wish("claimed")
    client = login(world.users["partner"])
    url = reverse("wishes:fulfil", args=[wish.pk])
    assert client.get(url).status_code == 200
    fake = SimpleUploadedFile("photo.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    refused = client.post(url, {"proof_text": "送到了，老人很高兴", "photo": fake})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "只能上传 JPEG、PNG 或 WebP 格式的照片。" in html
    assert "送到了，老人很高兴</textarea>" in html
    real = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    assert client.post(url, {"proof_text": "送到了", "photo": real}).status_code == 302
    wish.refresh_from_db()
    assert wish.status == "fulfilled"

    photo = reverse("wishes:photo", args=[wish.pk])
    for user in ["resident", "grid", "partner"]:
        response = login(world.users[user]).get(photo)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "image/png"
        assert Image.open(io.BytesIO(b"".join(response.streaming_content))).format == "PNG"
    for user in ["other_staff", "grid_worker", "party", "nobody"]:
        assert login(world.users[user]).get(photo).status_code == 404, user


def test_the_resident_confirms_and_thanks_on_the_page(world, sponsors, make_wish, login):
    wish = make_wish("fulfilled")
    client = login(world.users["resident"])
    detail = reverse("wishes:detail", args=[wish.pk])
    assert "是的，心愿实现了" in client.get(detail).content.decode()
    assert client.post(reverse("wishes:confirm", args=[wish.pk])).status_code == 302
    refused = client.post(
        reverse("wishes:thanks", args=[wish.pk]), {"text": "谢谢，我是张三", "public": "on"}
    )
    assert refused.status_code == 400
    assert "谢谢，我是张三</textarea>" in refused.content.decode()
    ok = client.post(reverse("wishes:thanks", args=[wish.pk]), {"text": "谢谢大家", "public": "on"})
    assert ok.status_code == 302
    wish.refresh_from_db()
    assert (wish.status, wish.thanks, wish.thanks_public) == ("confirmed", "谢谢大家", True)


def test_notifications_show_on_my_wishes_until_read(world, sponsors, make_wish, login):
    make_wish("claimed")
    client = login(world.users["resident"])
    page = _main(client.get(reverse("wishes:mine")))
    assert "新消息" in page and "爱心人士认领" in page
    client.post(reverse("wishes:notifications_read"))
    assert "新消息" not in _main(client.get(reverse("wishes:mine")))


def test_a_staff_member_without_a_household_goes_to_the_queue(world, login):
    response = login(world.users["grid"]).get(reverse("wishes:mine"))
    assert response.status_code == 302 and response.url == reverse("wishes:queue")
    page = login(world.users["nobody"]).get(reverse("wishes:mine"))
    assert "没有关联居民信息" in page.content.decode()


def test_lists_show_nothing_outside_the_reach(world, sponsors, make_wish, login):
    make_wish(resident="wangwu", text="二网格的心愿")
    make_wish("claimed", resident="wangwu", text="二网格已认领")
    for url in [reverse("wishes:queue"), reverse("wishes:for_pick") + "?q=王五"]:
        page = _main(login(world.users["grid"]).get(url))
        assert "二网格" not in page and "王五</" not in page, url
    page = _main(login(world.users["grid_worker"]).get(reverse("wishes:queue")))
    assert "二网格的心愿" in page and "二网格已认领" not in page or "王五" in page
