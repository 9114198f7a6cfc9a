from __future__ import annotations

from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

from gongzhi.accounts.services import api_token_user


class TokenRefused(AuthenticationError):
    """A bearer token was sent and does not work. Said at once, rather than falling back to
    the session: the client meant this token, and should know to get a new one."""

    def __init__(self):
        super().__init__(401, _("接口令牌无效、已过期或已被吊销，请重新获取令牌。"))


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_user(token)
        if user is None:
            raise TokenRefused
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session, as the workbench uses it (CSRF checked on writes)."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


AUTH = [BearerToken(), SessionAuth()]
