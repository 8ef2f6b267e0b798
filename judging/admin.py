"""Judging in the admin: read-only, for inspection.

Assignments, scorecards (with their scores and any exclusion), ranking
snapshots (with their entries), aggregation jobs, the 公示, objections and
awards are shown to the office and observers; nothing is added, changed or
deleted here. Every change is made on the office console's pages
(``judging.console``) and the API, through the services.
"""

from django.contrib import admin

from competition.admin_site import RoleAdmin, RoleInline

from .models import (
    AggregationJob,
    Assignment,
    Award,
    Objection,
    Publicity,
    RankingEntry,
    RankingSnapshot,
    RoundWithdrawal,
    Score,
    Scorecard,
    ScorecardExclusion,
)


class ReadOnly:
    """No add, change or delete for anyone (the office included): inspection only."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, RoleAdmin):
    actions = None


class ReadOnlyInline(ReadOnly, RoleInline, admin.TabularInline):
    extra = 0
    can_delete = False


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "round", "judge", "nomination", "status", "created_at"]
    list_filter = ["status", "round__competition", "round"]
    list_select_related = ["round", "round__competition", "judge", "nomination"]
    search_fields = ["judge__username", "nomination__title"]
    raw_id_fields = ["round", "judge", "nomination"]


class ScoreInline(ReadOnlyInline):
    model = Score
    fields = ["criterion", "half_points", "max_half_points"]


class ExclusionInline(ReadOnlyInline):
    model = ScorecardExclusion
    fields = ["reason", "excluded_by", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    list_display = ["id", "assignment", "status", "total", "version", "submitted_at", "updated_at"]
    list_filter = ["status", "assignment__round__competition", "assignment__round"]
    list_select_related = [
        "assignment",
        "assignment__round",
        "assignment__round__competition",
        "assignment__judge",
        "assignment__nomination",
    ]
    search_fields = ["assignment__judge__username", "assignment__nomination__title"]
    raw_id_fields = ["assignment"]
    inlines = [ScoreInline, ExclusionInline]


class RankingEntryInline(ReadOnlyInline):
    model = RankingEntry
    fields = ["category", "rank", "nomination", "score", "judges", "tied", "advances", "proposed_winner"]
    raw_id_fields = ["nomination"]


@admin.register(RankingSnapshot)
class RankingSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["id", "round", "method", "official", "computed_at", "checksum"]
    list_filter = ["official", "method", "round__competition"]
    list_select_related = ["round", "round__competition"]
    inlines = [RankingEntryInline]


@admin.register(AggregationJob)
class AggregationJobAdmin(ReadOnlyAdmin):
    list_display = ["id", "round", "method", "status", "done", "total", "attempts", "created_at", "finished_at"]
    list_filter = ["status", "method"]
    list_select_related = ["round", "round__competition"]


@admin.register(RoundWithdrawal)
class RoundWithdrawalAdmin(ReadOnlyAdmin):
    list_display = ["round", "judge", "reason", "withdrawn_by", "created_at"]
    list_select_related = ["round", "round__competition", "judge", "withdrawn_by"]


@admin.register(Publicity)
class PublicityAdmin(ReadOnlyAdmin):
    list_display = ["competition", "working_days", "starts_on", "ends_on", "published_at", "published_by"]
    list_select_related = ["competition", "published_by"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["id", "competition", "nomination", "name", "status", "created_at", "resolved_at"]
    list_filter = ["status", "competition"]
    list_select_related = ["competition", "nomination"]
    search_fields = ["nomination__title", "name", "content"]
    raw_id_fields = ["nomination", "resolved_by"]


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    list_display = ["competition", "category", "final_rank", "nomination", "final_score", "status", "finalized_at"]
    list_filter = ["status", "competition", "category"]
    list_select_related = ["competition", "category", "nomination"]
    search_fields = ["nomination__title"]
    raw_id_fields = ["nomination"]
