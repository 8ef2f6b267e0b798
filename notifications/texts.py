"""The Chinese wording of every event: a title and a body, filled from the context
the calling service passes to ``notify``.

Every title names the year and the nomination or the round (the office's daily
messages, the summary and the suggestions received, name the day); the link to act
on is added by the e-mail and the inbox (the notification's ``url``). Plain
functions, no database: tested on their own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from .enums import Event


@dataclass(frozen=True)
class Wording:
    title: str
    body: str


WORDING: dict[str, Wording] = {
    Event.NOMINATION_RETURNED: Wording(
        "【退回修改】{year}年度{category}推荐“{nomination}”",
        "您单位推荐的“{nomination}”（{year}年度{category}）经资格审查被退回修改。\n"
        "退回理由：{reason}\n"
        "请在补正截止时间 {deadline} 前修改后重新提交。",
    ),
    Event.NOMINATION_ACCEPTED: Wording(
        "【审查通过】{year}年度{category}推荐“{nomination}”",
        "您单位推荐的“{nomination}”（{year}年度{category}）已通过资格审查，将进入评审。",
    ),
    Event.NOMINATION_REJECTED: Wording(
        "【不予通过】{year}年度{category}推荐“{nomination}”",
        "您单位推荐的“{nomination}”（{year}年度{category}）经资格审查不予通过。\n理由：{reason}",
    ),
    Event.NOMINATION_LAPSED: Wording(
        "【逾期失效】{year}年度{category}推荐“{nomination}”",
        "您单位推荐的“{nomination}”（{year}年度{category}）退回修改后未在补正截止时间 {deadline} 前重新提交，已失效。",
    ),
    Event.NOMINATIONS_CLOSING: Wording(
        "【申报提醒】{year}年度推荐申报将于{deadline}截止",
        "{competition}的推荐申报将于 {deadline} 截止（还剩约 {remaining}）。\n"
        "本单位目前：{unit_status}。\n"
        "请在截止前完成填报并提交，截止后系统不再接受提交或修改。",
    ),
    Event.ASSIGNMENT_MADE: Wording(
        "【评审任务】{year}年度{round}：新分配 {count} 项评审任务",
        "组委会办公室在{year}年度{round}中为您分配了 {count} 项评审任务{detail}。\n"
        "评分截止时间：{deadline}。请登录后签署评审承诺书并开始评分。",
    ),
    Event.ASSIGNMENT_CHANGED: Wording(
        "【评审任务调整】{year}年度{round}",
        "您在{year}年度{round}的评审任务有调整：{change}。\n目前您在本轮共有 {total} 项评审任务，评分截止时间：{deadline}。",
    ),
    Event.ASSIGNMENT_REMOVED: Wording(
        "【评审任务撤销】{year}年度{round}：“{nomination}”",
        "组委会办公室撤销了您在{year}年度{round}中对“{nomination}”的评审任务{reason_line}。该项无需再评分。",
    ),
    Event.SCORECARD_UNLOCKED: Wording(
        "【评分表已解锁】{year}年度{round}：“{nomination}”",
        "组委会办公室解锁了您对“{nomination}”（{year}年度{round}）已提交的评分表。\n"
        "解锁理由：{reason}\n"
        "请修改后在评分截止时间 {deadline} 前重新提交。",
    ),
    Event.SCORING_CLOSING: Wording(
        "【评分提醒】{year}年度{round}评分将于{deadline}截止",
        "{year}年度{round}的评分将于 {deadline} 截止（还剩约 {remaining}），"
        "您还有 {open} 项评审任务未提交评分表。截止后评分将锁定。",
    ),
    Event.JUDGE_REMINDER: Wording(
        "【评分提醒】{year}年度{round}：您还有 {open} 项未提交",
        "组委会办公室提醒您：{year}年度{round}中您还有 {open} 项评审任务未提交评分表，"
        "评分截止时间：{deadline}。",
    ),
    Event.OBJECTION_LODGED: Wording(
        "【收到异议】{year}年度公示对象“{nomination}”",
        "{year}年度公示对象“{nomination}”（{unit}，{category}）收到一件实名异议：\n{content}\n请核实后处理。",
    ),
    Event.OBJECTION_RESOLVED: Wording(
        "【异议处理结果】{year}年度公示对象“{nomination}”",
        "针对您单位推荐的“{nomination}”（{year}年度{category}）的异议已处理，结论：{decision}。\n处理意见：{reason}",
    ),
    Event.PUBLICITY_PUBLISHED: Wording(
        "【公示】{year}年度拟表彰名单开始公示",
        "{competition}的拟表彰名单（共 {count} 项）已发布公示，公示期 {starts} 至 {ends}（{days} 个工作日）。",
    ),
    Event.PUBLICITY_ENDING: Wording(
        "【公示即将结束】{year}年度公示明天结束，尚有 {open} 件异议未处理",
        "{competition}的公示将于 {ends} 结束，目前还有 {open} 件异议未处理。异议全部处理后才能确定表彰结果。",
    ),
    Event.RESULTS_FINAL: Wording(
        "【结果确定】{year}年度表彰名单已确定",
        "{competition}的表彰结果已确定，共表彰 {count} 项。",
    ),
    Event.CERTIFICATE_READY: Wording(
        "【荣誉证书】{year}年度{what}的荣誉证书已生成",
        "您单位推荐的{what}获评{year}年度表彰，荣誉证书已生成，可下载打印：\n{lines}",
    ),
    Event.DAILY_SUMMARY: Wording(
        "【每日概况】{date}",
        "{lines}",
    ),
    Event.SUGGESTIONS_RECEIVED: Wording(
        "【意见建议】{date}：有 {count} 条新的意见建议待阅",
        "{since}市民在云展馆新提交了 {count} 条意见建议，尚未阅读；目前共有 {waiting} 条意见建议待处理。\n"
        "请在“工作台 › 意见建议”阅处（每天最多提醒一次）。",
    ),
}

# The office's events, also posted to the 企业微信 group (when configured).
WECOM_EVENTS = frozenset({Event.OBJECTION_LODGED, Event.PUBLICITY_ENDING, Event.DAILY_SUMMARY})


class _Strict(dict):
    def __missing__(self, key: str) -> str:
        raise KeyError(f"notification text needs {{{key}}}")


def render(event: str, context: dict) -> tuple[str, str]:
    """The (title, body) of ``event`` with ``context``; a missing value is an error, not a blank."""
    wording = WORDING[event]
    values = _Strict({k: display(v) for k, v in context.items()})
    return wording.title.format_map(values)[:200], wording.body.format_map(values)


def display(value) -> str:
    """Dates and times as people read them in Taiyuan."""
    if isinstance(value, dt.datetime):
        return when(value)
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def remaining(delta: dt.timedelta) -> str:
    """"3 天", "20 小时", "45 分钟" (rounded down, never below a minute)."""
    seconds = max(60, int(delta.total_seconds()))
    if seconds >= 86400:
        return f"{seconds // 86400} 天"
    if seconds >= 3600:
        return f"{seconds // 3600} 小时"
    return f"{seconds // 60} 分钟"
