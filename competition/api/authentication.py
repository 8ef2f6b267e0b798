from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from ..services import token_lookup


class ExpiringTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <token>``; tokens are stored hashed and expire."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确。"))
        try:
            raw = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确。")) from exc
        token = token_lookup(raw=raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已注销，请重新登录。"))
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
