"""Template helpers of customer service: time left on a case, the dashboard right."""
from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.service.selectors import SlaState

register = template.Library()


def business_duration(seconds: int) -> str:
    """'2 h 05' / '45 min' / '12 days' (from 48 h) for an absolute number of business seconds."""
    seconds = abs(int(seconds))
    hours, minutes = divmod(seconds // 60, 60)
    if not hours:
        return _("%(m)d min") % {"m": minutes}
    if hours >= 48:  # long overdue: days say it better than "3993 h"
        return _("%(d)d days") % {"d": hours // 24}
    return _("%(h)d h %(m)02d") % {"h": hours, "m": minutes}


@register.filter
def can_view_service_reports(user: Any) -> bool:
    return policies.can_view_service_reports(user)


@register.simple_tag
def sla_badge(sla: SlaState | None) -> str:
    """The time-left badge of a case (a simple tag, not an included template: it renders on every row
    of a 50-row queue page)."""
    if sla is None or sla.level in {"done", "none"}:
        return ""
    if sla.level == "paused":
        return format_html('<span class="badge sla sla--paused">{}</span>', _("Clock paused"))
    targets = {"first_response": _("First response"), "resolution": _("Resolution")}
    left = business_duration(sla.seconds_left or 0)
    text = (_("Late by %(time)s") if sla.level == "late" else _("%(time)s left")) % {"time": left}
    return format_html('<span class="badge sla sla--{}" title="{}">{}</span>', sla.level,
                       targets.get(sla.target, ""), text)
