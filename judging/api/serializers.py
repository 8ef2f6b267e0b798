from __future__ import annotations

from rest_framework import serializers

from competition.api.base import Serializer
from competition.models import Round, User
from nominations.api.serializers import AttachmentSerializer
from nominations.models import Nomination

from .. import selectors
from ..models import Assignment, Scorecard

# The visibility rule lives in the selectors; the name stays importable from here.
JUDGE_FIELDS = selectors.JUDGE_FIELDS


class ScorecardSerializer(serializers.ModelSerializer):
    scores = serializers.SerializerMethodField()

    class Meta:
        model = Scorecard
        fields = ["id", "status", "scores", "comment", "total", "version", "submitted_at", "updated_at"]

    def get_scores(self, obj) -> dict[str, float]:
        return {str(s.criterion_id): float(s.points) for s in obj.scores.all()}


EMPTY_SCORECARD = {
    "id": None,
    "status": "draft",
    "scores": {},
    "comment": "",
    "total": "0.00",
    "version": 0,
    "submitted_at": None,
    "updated_at": None,
}


def scorecard_data(assignment: Assignment) -> dict:
    try:
        card = assignment.scorecard
    except Scorecard.DoesNotExist:
        return dict(EMPTY_SCORECARD)
    return ScorecardSerializer(card).data


class AssignmentListSerializer(serializers.ModelSerializer):
    """One row of a judge's (or the office's) list of assignments."""

    round_name = serializers.CharField(source="round.name", read_only=True)
    title = serializers.CharField(source="nomination.title", read_only=True)
    category = serializers.CharField(source="nomination.category.name", read_only=True)
    total = serializers.SerializerMethodField()
    scorecard_status = serializers.SerializerMethodField()
    judge = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "round",
            "round_name",
            "nomination",
            "title",
            "category",
            "status",
            "scorecard_status",
            "total",
            "judge",
        ]

    def _card(self, obj):
        try:
            return obj.scorecard
        except Scorecard.DoesNotExist:
            return None

    def get_total(self, obj) -> str | None:
        card = self._card(obj)
        return str(card.total) if card else None

    def get_scorecard_status(self, obj) -> str | None:
        card = self._card(obj)
        return card.status if card else None

    def get_judge(self, obj) -> int | None:
        viewer = self.context.get("viewer")
        return obj.judge_id if viewer is not None and viewer.role != "judge" else None


class AssignmentDetailSerializer(AssignmentListSerializer):
    materials = serializers.SerializerMethodField()
    rubric = serializers.SerializerMethodField()
    scorecard = serializers.SerializerMethodField()
    blind = serializers.BooleanField(source="round.blind", read_only=True)
    comment_required = serializers.BooleanField(source="round.comment_required", read_only=True)

    class Meta(AssignmentListSerializer.Meta):
        fields = [*AssignmentListSerializer.Meta.fields, "blind", "comment_required", "materials", "rubric", "scorecard"]

    def get_materials(self, obj) -> dict:
        viewer = self.context.get("viewer")
        data = selectors.assignment_materials(assignment=obj, viewer=viewer)
        blind_copies, attachments = selectors.assignment_attachments(assignment=obj, viewer=viewer)
        if blind_copies:
            data["attachments"] = [blind_attachment_data(obj, a, name) for a, name in attachments]
        else:
            data["attachments"] = AttachmentSerializer([a for a, _name in attachments], many=True).data
        return data

    def get_rubric(self, obj) -> list[dict]:
        return [
            {
                "id": c.pk,
                "name": c.name,
                "guidance": c.guidance,
                "max_points": str(c.max_points),
                "weight": str(c.weight),
            }
            for c in obj.nomination.category.criteria.all()
        ]

    def get_scorecard(self, obj) -> dict:
        return scorecard_data(obj)


def blind_attachment_data(assignment: Assignment, a, name: str) -> dict:
    """One attachment as a judge of a blind round sees it (``selectors.assignment_attachments``):
    its neutral name, served by the assignment's own download URL as a copy without metadata."""
    url = f"/api/v1/assignments/{assignment.pk}/attachments/{a.pk}/download/"
    return {
        "id": a.pk,
        "kind": a.kind,
        "original_name": name,
        "content_type": a.content_type,
        "size": None,
        "sha256": None,
        "caption": a.caption,
        "order": a.order,
        "width": a.width,
        "height": a.height,
        "created_at": None,
        "download_url": url,
        "thumbnail_url": f"{url}?thumbnail=1" if a.thumbnail else None,
    }


class AssignmentCreateSerializer(Serializer):
    round = serializers.PrimaryKeyRelatedField(label="轮次", queryset=Round.objects.all())
    judge = serializers.PrimaryKeyRelatedField(label="评委", queryset=User.objects.filter(role="judge"))
    nomination = serializers.PrimaryKeyRelatedField(label="推荐", queryset=Nomination.objects.all())


class AutoAssignSerializer(Serializer):
    seed = serializers.IntegerField(label="随机种子", required=False, allow_null=True, default=None)
    judges_per_nomination = serializers.IntegerField(
        label="每件评委数", required=False, allow_null=True, default=None, min_value=1, max_value=50
    )
    expect = serializers.CharField(
        label="预览编号", required=False, allow_null=True, default=None, max_length=64,
        help_text="预览返回的 fingerprint：分配情况自预览后有变化时不保存（409）。",
    )


class ScorecardSaveSerializer(Serializer):
    # Values are parsed by the service so that each message names its criterion.
    scores = serializers.DictField(
        label="评分", child=serializers.CharField(allow_null=True, max_length=20)
    )
    comment = serializers.CharField(label="评语", allow_blank=True, required=False, default=None, allow_null=True)
    version = serializers.IntegerField(label="版本", min_value=0)


class ReasonSerializer(Serializer):
    reason = serializers.CharField(label="理由", allow_blank=True)
