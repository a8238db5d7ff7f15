"""Governance records (domain.md §4 mechanism 1, §1.3 T-9). The tables keep the names they had in
reporting (governance 0001 took them over in Django's state only; no data moved)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiers.models import Region


class MeetingKind(models.TextChoices):
    """domain.md §4 mechanism 1 (leadership group, ≥ 2 a year) and §1.3 T-9 (quarterly liaison meeting)."""

    LEADERSHIP_GROUP = "LEADERSHIP_GROUP", _("领导小组会议")
    LIAISON = "LIAISON", _("季度联席（联络）会议")


class Meeting(models.Model):
    """A governance meeting of a town's or district's leadership group or liaison meeting."""

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    held_on = models.DateField(_("召开日期"))
    title = models.CharField(_("会议名称"), max_length=200)
    chair = models.CharField(_("主持人"), max_length=100, blank=True)
    attendees = models.TextField(_("参会人员"))
    minutes = models.TextField(_("会议纪要"))
    decisions = models.TextField(_("议定事项"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("工作会议")
        verbose_name_plural = _("工作会议")
        ordering = ["-held_on", "-id"]
        db_table = "reporting_meeting"
        indexes = [models.Index(fields=["region", "kind", "held_on"], name="meeting_region_kind_idx")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class ActionItem(models.Model):
    """A follow-up item decided at a meeting (督办事项), with who does it by when."""

    class Status(models.TextChoices):
        OPEN = "OPEN", _("未完成")
        DONE = "DONE", _("已完成")
        DROPPED = "DROPPED", _("已撤销")

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="action_items")
    description = models.CharField(_("事项"), max_length=300)
    responsible = models.CharField(_("责任单位/人"), max_length=100)
    due_on = models.DateField(_("完成时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.CharField(_("办理情况"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("会议督办事项")
        verbose_name_plural = _("会议督办事项")
        ordering = ["due_on", "id"]
        db_table = "reporting_actionitem"

    def __str__(self) -> str:
        return self.description


class MeetingEvent(models.Model):
    """One change to a meeting record or one of its follow-up items (STYLE.md rule 4): the history shown
    on the meeting's page, and the audit trail of who recorded and corrected what."""

    class Kind(models.TextChoices):
        RECORDED = "RECORDED", _("记录会议")
        UPDATED = "UPDATED", _("修改会议记录")
        ITEM_ADDED = "ITEM_ADDED", _("添加督办事项")
        ITEM_CHANGED = "ITEM_CHANGED", _("修改督办事项")
        ITEM_STATUS = "ITEM_STATUS", _("督办事项办理")

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="events")
    item = models.ForeignKey(
        ActionItem, verbose_name=_("督办事项"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("事项"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    # [{"field": "...", "label": "...", "from": "...", "to": "..."}], values as shown to people.
    changes = models.JSONField(_("变更内容"), default=list, blank=True)

    class Meta:
        verbose_name = _("会议记录变更")
        verbose_name_plural = _("会议记录变更")
        ordering = ["-at", "-id"]
        # Append-only in PostgreSQL: the trigger of reporting 0004 is on this table.
        db_table = "reporting_meetingevent"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"
