"""``POST public/suggestions/``: anyone sends a 意见建议 to the office (the 云展馆's form, as JSON).

Same-origin only, like the public objection endpoint: JSON bodies only (a
cross-site page cannot send JSON without a CORS preflight, which this site
never grants; form-encoded, multipart and text/plain bodies answer 415), and
a request that says it comes from another site (Origin, Referer,
Sec-Fetch-Site) answers 403. The service counts every attempt against the
client address's hourly limit (429 with Retry-After).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from competition.api.permissions import SameOriginBrowser
from competition.api.views import ERROR
from competition.middleware import client_address

from .. import suggestions


class SuggestionInSerializer(serializers.Serializer):
    # Blank and over-long values reach the service, which names every bad field in Chinese.
    name = serializers.CharField(label="姓名", required=False, allow_blank=True, default="")
    contact = serializers.CharField(label="联系方式", required=False, allow_blank=True, default="")
    content = serializers.CharField(label="意见建议", allow_blank=True, trim_whitespace=False)


class PublicSuggestionView(APIView):
    """Anyone sends an opinion or suggestion from the 云展馆 (no sign-in, same-origin, throttled)."""

    authentication_classes: list = []
    permission_classes = [SameOriginBrowser]
    parser_classes = [JSONParser]
    throttle_classes: list = []

    @extend_schema(
        request=SuggestionInSerializer,
        responses={
            201: inline_serializer(
                "SuggestionReceived", {"message": serializers.CharField()}
            ),
            400: ERROR,
            403: ERROR,
            415: ERROR,
            429: ERROR,
        },
        auth=[],
        summary="提交意见建议（公开）",
    )
    def post(self, request):
        data = SuggestionInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        suggestions.suggestion_submit(
            name=data.validated_data["name"],
            contact=data.validated_data["contact"],
            content=data.validated_data["content"],
            client_address=client_address(request),
        )
        return Response(
            {"message": "意见建议已收到，感谢您的参与！组委会办公室将认真阅处。"},
            status=status.HTTP_201_CREATED,
        )
