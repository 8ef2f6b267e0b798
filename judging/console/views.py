"""The office console's pages (under /judging/office/).

The year's page (stage, next step, counts, every page of the year), the
category panels (评审组), and a round's assignment page: automatic assignment
with a preview, manual add, remove and replace, exclusion of a submitted
scorecard, a judge's withdrawal from the round; the actions of the other
round pages (unlock on the progress board, 移出并另行安排评委 on the conflict
report, closing a round straight into assigning the next).

Pages are for the office and observers (anyone else: 404, as for a missing
object). Every action is a POST to a view that calls the same service as
the API: the service checks the role (an observer gets the 403 page and
nothing changes), and its Chinese refusal is shown on the page.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from competition.enums import AggregationMethod, Phase, Role
from competition.exceptions import ApplicationError, Forbidden, NotFound, ValidationFailed
from competition.models import Competition, Round, User
from competition.rules import can_read_all

from .. import services
from ..models import Assignment
from ..views._common import chinese_errors, safe_next
from . import nav, queries

# --------------------------------------------------------------------------- helpers


def _reader(view):
    """Signed in, office or observer (anyone else 404), Chinese 403/404 pages."""

    @login_required
    @chinese_errors
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_read_all(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _action(view):
    """A POST that calls a service: its refusal of the role is the 403 page, a missing
    object the 404 page; any other refusal is shown on the page the action came from."""

    @require_POST
    @_reader
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except NotFound as exc:
            raise Http404 from exc
        except ApplicationError as exc:  # bad input read before the service was called
            _flash_error(request, exc)
            return redirect(safe_next(request, reverse("judging:console:home")))

    return wrapper


def _flash_error(request, exc: ApplicationError) -> None:
    lines = [exc.message]
    for field_messages in exc.fields.values():
        lines.extend(m for m in field_messages if m not in lines)
    if isinstance(exc, ValidationFailed) and len(lines) > 1 and lines[0] == ValidationFailed.default_message:
        lines = lines[1:]
    messages.error(request, "；".join(lines))


class _Attempt:
    """``with _Attempt(request) as attempt:`` around reading the form and calling the service.

    A refusal of the role (``Forbidden``) goes on to ``_action`` (the 403 page); any other
    refusal is shown on the page and ends the block, and ``attempt.ok`` stays False.
    """

    def __init__(self, request):
        self.request = request
        self.ok = False

    def __enter__(self) -> _Attempt:
        return self

    def __exit__(self, kind, exc, traceback) -> bool:
        if exc is None:
            self.ok = True
            return False
        if isinstance(exc, ApplicationError) and not isinstance(exc, Forbidden):
            _flash_error(self.request, exc)
            return True
        return False


def _int(request, name: str, label: str, *, required: bool = True) -> int | None:
    raw = (request.POST.get(name) or "").strip()
    if not raw:
        if required:
            raise ValidationFailed(fields={name: [f"{label}：请选择或填写。"]})
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed(fields={name: [f"{label}：应为整数。"]}) from None


def _judge(request, name: str = "judge") -> User:
    judge_id = _int(request, name, "评委")
    judge = User.objects.filter(pk=judge_id, role=Role.JUDGE).first()
    if judge is None:
        raise ValidationFailed(fields={name: ["评委：请选择一位评审专家。"]})
    return judge


def _round(pk: int) -> Round:
    return get_object_or_404(Round.objects.select_related("competition"), pk=pk)


def _next_round(round_: Round) -> Round | None:
    return Round.objects.filter(competition_id=round_.competition_id, order__gt=round_.order).order_by("order").first()


def _assignment(pk: int) -> Assignment:
    return get_object_or_404(Assignment.objects.select_related("round", "round__competition", "nomination", "judge"), pk=pk)


def _added_text(result) -> str:
    if result.added:
        names = "、".join(sorted({a["judge_username"] for a in result.added}))
        text = f"已另行安排评委：{names}。"
    else:
        text = "没有可另行安排的评委。"
    if result.short:
        text += " " + "；".join(f"“{s['title']}”：{s['reason']}" for s in result.short)
    return text


# --------------------------------------------------------------------------- the year


def _competitions():
    return Competition.objects.exclude(phase=Phase.DRAFT).order_by("-year")


@require_GET
@_reader
def home(request):
    """The console's entry: the latest year's page (or the list when there is none)."""
    latest = _competitions().first() or Competition.objects.order_by("-year").first()
    if latest is None:
        waiting = nav.waiting(queries.badges())
        return render(request, "judging/console/year.html", {"competition": None, "others": [], "waiting": waiting})
    return redirect("judging:console:year", pk=latest.pk)


@require_GET
@_reader
def year(request, pk: int):
    """Where the year stands, the next step with its button, the counts, every page of the year."""
    competition = get_object_or_404(Competition, pk=pk)
    rounds = list(competition.rounds.order_by("order"))
    state = queries.year_state(competition, rounds=rounds)
    step = nav.next_step(state)
    counts = queries.round_counts(competition)
    phases = [
        {"value": p.value, "label": p.label, "current": p.value == competition.phase}
        for p in Phase
        if p != Phase.ARCHIVED or competition.phase == Phase.ARCHIVED
    ]
    current_index = next(i for i, p in enumerate(phases) if p["current"]) if any(p["current"] for p in phases) else -1
    for i, p in enumerate(phases):
        p["done"] = i < current_index
    round_rows = []
    for r in rounds:
        c = counts.get(r.pk, {"assigned": 0, "submitted": 0})
        round_rows.append(
            {
                "round": r,
                "assigned": c["assigned"],
                "submitted": c["submitted"],
                "percent": round(100 * c["submitted"] / c["assigned"]) if c["assigned"] else 0,
                "pages": nav.entries(competition=competition.pk, round_=r.pk, takes="round", phase=competition.phase),
            }
        )
    nomination_counts = queries.nomination_counts(competition)
    badges = queries.badges()
    from nominations.enums import Status

    return render(
        request,
        "judging/console/year.html",
        {
            "competition": competition,
            "others": [c for c in _competitions() if c.pk != competition.pk],
            "phases": phases,
            "state": state,
            "step": step,
            "step_url": nav.step_url(step, competition=competition.pk),
            "rounds": round_rows,
            "pages": nav.year_entries(competition=competition.pk, phase=competition.phase, badges=badges),
            "waiting": nav.waiting(badges),
            "nomination_counts": [
                {"label": s.label, "value": s.value, "count": nomination_counts[s.value]}
                for s in Status
                if s != Status.DRAFT
            ],
        },
    )


# --------------------------------------------------------------------------- panels (评审组)


@require_GET
@_reader
def panels(request, pk: int):
    competition = get_object_or_404(Competition, pk=pk)
    return _panels_page(request, competition)


def _panels_page(request, competition, *, status: int = 200):
    judges = queries.active_judges()
    members = queries.panels(competition)
    categories = [
        {
            "category": c,
            "members": members.get(c.pk, set()),
            "everyone": not members.get(c.pk),
        }
        for c in competition.categories.order_by("order", "id")
    ]
    return render(
        request,
        "judging/console/panels.html",
        {"competition": competition, "categories": categories, "judges": judges},
        status=status,
    )


@_action
def panel_save(request, pk: int):
    competition = get_object_or_404(Competition, pk=pk)
    category = get_object_or_404(competition.categories, pk=_int(request, "category", "奖项"))
    ids = [int(x) for x in request.POST.getlist("judges") if x.isdigit()]
    judges = list(User.objects.filter(pk__in=ids))
    with _Attempt(request) as attempt:
        services.panel_set(actor=request.user, category=category, judges=judges)
    if attempt.ok:
        if judges:
            messages.success(request, f"“{category.name}”评审组已保存：{len(judges)} 位评委。")
        else:
            messages.success(request, f"“{category.name}”评审组已清空：由全部在库评委评审。")
    return redirect(f"{reverse('judging:console:panels', args=[competition.pk])}#category-{category.pk}")


# --------------------------------------------------------------------------- a round's assignments


@require_GET
@_reader
def assign(request, pk: int):
    return _assign_page(request, _round(pk))


def _assign_page(request, round_: Round, *, plan=None, form: dict | None = None, status: int = 200):
    board = queries.round_board(round_)
    judges = queries.active_judges()
    loads = board["loads"]
    judge_rows = [
        {
            "profile": p,
            "user": p.user,
            "assigned": loads.get(p.user_id, {}).get("assigned", 0),
            "submitted": loads.get(p.user_id, {}).get("submitted", 0),
            "withdrawn": board["withdrawn"].get(p.user_id),
            "pledged": p.user_id in board["pledged"],
        }
        for p in judges
    ]
    # Judges with assignments in the round but no longer active still appear.
    known = {p.user_id for p in judges}
    for judge_id in sorted(set(loads) - known):
        user = User.objects.get(pk=judge_id)
        judge_rows.append(
            {
                "profile": None,
                "user": user,
                "assigned": loads[judge_id]["assigned"],
                "submitted": loads[judge_id]["submitted"],
                "withdrawn": board["withdrawn"].get(judge_id),
                "pledged": judge_id in board["pledged"],
            }
        )
    preview = None
    if plan is not None:
        new: dict[int, int] = {}
        for judge_id, _n in plan.new_pairs:
            new[judge_id] = new.get(judge_id, 0) + 1
        preview = {
            "plan": plan,
            "rows": [
                {
                    "username": plan.names[j],
                    "before": plan.before[j],
                    "new": new.get(j, 0),
                    "after": plan.load[j],
                }
                for j in sorted(plan.load, key=lambda j: plan.names[j])
            ],
            "created": len(plan.new_pairs),
            "max_load": max(plan.load.values(), default=0),
            "min_load": min(plan.load.values(), default=0),
        }
    next_round = _next_round(round_)
    return render(
        request,
        "judging/console/assign.html",
        {
            "round": round_,
            "board": board,
            "judges": judge_rows,
            "active_judges": [r for r in judge_rows if r["profile"] is not None and not r["withdrawn"]],
            "preview": preview,
            "form": form or {"seed": round_.pk, "judges_per_nomination": round_.judges_per_nomination},
            "can_manage": request.user.has_perm("judging.manage_assignments") and round_.closed_at is None,
            "next_round": next_round,
        },
        status=status,
    )


def _auto_form(request, round_: Round) -> dict:
    return {
        "seed": _int(request, "seed", "随机种子", required=False),
        "judges_per_nomination": _int(request, "judges_per_nomination", "每件评委数", required=False)
        or round_.judges_per_nomination,
    }


@_action
def assign_preview(request, pk: int):
    """The automatic assignment's plan, computed without writing, with the button that saves it."""
    round_ = _round(pk)
    with _Attempt(request) as attempt:
        form = _auto_form(request, round_)
        plan = services.assignments_auto_preview(actor=request.user, round_=round_, **form)
    if not attempt.ok:
        return redirect("judging:console:assign", pk=round_.pk)
    return _assign_page(request, round_, plan=plan, form=form)


@_action
def assign_auto(request, pk: int):
    """Save the previewed plan (refused if it changed since the preview)."""
    round_ = _round(pk)
    with _Attempt(request) as attempt:
        form = _auto_form(request, round_)
        summary = services.assignments_auto(
            actor=request.user, round_=round_, expect=request.POST.get("fingerprint") or None, **form
        )
    if not attempt.ok:
        return redirect("judging:console:assign", pk=round_.pk)
    text = f"自动分配已保存：新增 {summary.created} 项评审任务。"
    if summary.short:
        text += f" 有 {len(summary.short)} 件推荐评委不足，请查看下表并手动调整。"
    messages.success(request, text)
    return redirect("judging:console:assign", pk=round_.pk)


@_action
def assign_add(request, pk: int):
    round_ = _round(pk)
    url = reverse("judging:console:assign", args=[round_.pk])
    with _Attempt(request) as attempt:
        judge = _judge(request)
        nomination_id = _int(request, "nomination", "推荐")
        from nominations.models import Nomination

        nomination = get_object_or_404(Nomination, pk=nomination_id, competition_id=round_.competition_id)
        services.assignment_add(actor=request.user, round_=round_, judge=judge, nomination=nomination)
    if attempt.ok:
        messages.success(request, f"已将“{nomination.title}”分配给评委 {judge}。")
        url += f"#nomination-{nomination.pk}"
    return redirect(url)


@_action
def assign_remove(request, pk: int):
    assignment = _assignment(pk)
    url = reverse("judging:console:assign", args=[assignment.round_id])
    with _Attempt(request) as attempt:
        services.assignment_remove(actor=request.user, assignment=assignment, reason=request.POST.get("reason", "").strip())
    if attempt.ok:
        messages.success(request, f"已移出评委 {assignment.judge} 对“{assignment.nomination.title}”的评审任务。")
    return redirect(f"{url}#nomination-{assignment.nomination_id}")


@_action
def assign_replace(request, pk: int):
    assignment = _assignment(pk)
    url = reverse("judging:console:assign", args=[assignment.round_id])
    with _Attempt(request) as attempt:
        judge = _judge(request)
        services.assignment_replace(
            actor=request.user, assignment=assignment, judge=judge, reason=request.POST.get("reason", "")
        )
    if attempt.ok:
        messages.success(
            request, f"“{assignment.nomination.title}”：评委 {assignment.judge} 已替换为 {judge}。"
        )
    return redirect(f"{url}#nomination-{assignment.nomination_id}")


@_action
def assign_reassign(request, pk: int):
    """移出并另行安排评委 (the conflict report's action)."""
    assignment = _assignment(pk)
    fallback = reverse("judging:conflicts", args=[assignment.round_id])
    with _Attempt(request) as attempt:
        result = services.assignment_reassign(
            actor=request.user, assignment=assignment, reason=request.POST.get("reason", "")
        )
    if attempt.ok:
        moved = "已移出该分配" if result.removed else "已提交的评分表保留备查、不计入排名"
        messages.success(request, f"“{assignment.nomination.title}”：{moved}。{_added_text(result)}")
    return redirect(safe_next(request, fallback))


@_action
def scorecard_exclude(request, pk: int):
    assignment = _assignment(pk)
    url = reverse("judging:console:assign", args=[assignment.round_id])
    with _Attempt(request) as attempt:
        result = services.scorecard_exclude(actor=request.user, assignment=assignment, reason=request.POST.get("reason", ""))
    if attempt.ok:
        messages.success(
            request,
            f"评委 {assignment.judge} 对“{assignment.nomination.title}”的评分表已排除，不再计入排名。{_added_text(result)}",
        )
    return redirect(f"{url}#nomination-{assignment.nomination_id}")


@_action
def judge_withdraw(request, pk: int):
    round_ = _round(pk)
    url = reverse("judging:console:assign", args=[round_.pk])
    with _Attempt(request) as attempt:
        judge = _judge(request)
        result = services.judge_withdraw_round(
            actor=request.user,
            round_=round_,
            judge=judge,
            reason=request.POST.get("reason", ""),
            exclude_submitted=request.POST.get("exclude_submitted") == "on",
        )
    if attempt.ok:
        text = f"评委 {judge} 已退出“{round_.name}”：{result.removed} 项未提交的任务已改派"
        if result.excluded:
            text += f"，{result.excluded} 份已提交的评分表已排除"
        if result.kept:
            text += f"，{result.kept} 份已提交的评分表保留并计入排名"
        messages.success(request, f"{text}。{_added_text(result)}")
    return redirect(f"{url}#judges")


# --------------------------------------------------------------------------- the progress board and closing


@_action
def scorecard_unlock(request, pk: int):
    """Unlock a submitted scorecard (reason required; the judge sees it on their page)."""
    assignment = _assignment(pk)
    url = reverse("judging:progress", args=[assignment.round_id])
    with _Attempt(request) as attempt:
        services.scorecard_unlock(actor=request.user, assignment=assignment, reason=request.POST.get("reason", ""))
    if attempt.ok:
        messages.success(
            request,
            f"已解锁评委 {assignment.judge} 对“{assignment.nomination.title}”的评分表，并已通知该评委修改后重新提交。",
        )
    return redirect(f"{url}#unlock")


@_action
def round_close(request, pk: int):
    """Close the round (after the confirmation); then straight to assigning the next round."""
    round_ = _round(pk)
    ranking = reverse("judging:ranking", args=[round_.pk])
    if request.POST.get("confirm") != "on":
        messages.error(request, "请勾选确认后再结束本轮评审。")
        return redirect(f"{ranking}#close-round")
    with _Attempt(request) as attempt:
        snapshot = services.round_close(actor=request.user, round_=round_)
    if not attempt.ok:
        return redirect(f"{ranking}#close-round")
    next_round = _next_round(round_)
    closed = f"“{round_.name}”已结束，评分已锁定，已按“{AggregationMethod(snapshot.method).label}”生成正式排名"
    if next_round is None:
        messages.success(request, f"{closed}。各轮评审均已结束，下一步：发布公示。")
        return redirect(f"{ranking}?method={snapshot.method}")
    advanced = snapshot.entries.filter(advances=True).count()
    messages.success(
        request, f"{closed}，{advanced} 件晋级“{next_round.name}”。下一步：分配“{next_round.name}”评审任务。"
    )
    return redirect("judging:console:assign", pk=next_round.pk)
