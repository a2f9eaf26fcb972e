"""What surveys announce to the apps built on them.

Attrition sits above surveys in the import order, so it cannot be called from here; it subscribes
instead (in its ``AppConfig.ready``). Signals are sent after the transaction commits, so a receiver
never sees an answer that was rolled back and cannot undo it.

- ``answers_recorded(party_ids, response_ids)``: customers answered a survey (CSAT, NPS or custom).
"""
from __future__ import annotations

from django.dispatch import Signal

answers_recorded = Signal()

