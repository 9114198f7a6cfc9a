"""``choice_label`` says what ``get_FOO_display`` says, in the active language, without
rebuilding the choices on every call."""

from django.utils import translation

from gongzhi.core.choices import choice_label
from gongzhi.orgs.enums import PostKind
from gongzhi.orgs.models import Post


def test_the_label_is_the_display_in_each_language(world):
    post = Post.objects.filter(kind=PostKind.GRID_CHIEF).first()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert choice_label(post, "kind") == str(post.get_kind_display())
    with translation.override("zh-hans"):
        assert choice_label(post, "kind") == "网格长"


def test_a_value_outside_the_choices_is_shown_as_it_is(world):
    post = Post(kind="no_such_kind")
    assert choice_label(post, "kind") == "no_such_kind"
