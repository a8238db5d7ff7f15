from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiers.models import Region


class QuarterSnapshot(models.Model):
    """The figures of one region's subtree for one quarter, frozen after the quarter ended.

    Written once by the quarter-end job (or a deliberate rebuild); the dashboard reads past quarters
    from here and never recomputes them, so later changes to records leave them as they were.
    """

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    quarter = models.CharField(_("季度"), max_length=6)
    figures = models.JSONField(_("统计数"))
    schema = models.PositiveSmallIntegerField(_("口径版本"))
    frozen_at = models.DateTimeField(_("冻结时间"), default=timezone.now)
    rebuilt = models.BooleanField(_("曾重新生成"), default=False)

    class Meta:
        verbose_name = _("季度统计快照")
        verbose_name_plural = _("季度统计快照")
        ordering = ["region__path", "quarter"]
        constraints = [models.UniqueConstraint(fields=["region", "quarter"], name="quartersnapshot_unique")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.quarter}"
