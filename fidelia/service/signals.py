"""What customer service announces to the apps built on it.

Attrition sits above service in the import order, so it cannot be called from here; it subscribes
instead (in its ``AppConfig.ready``). Signals are sent after the transaction commits, so a receiver
never sees a case that was rolled back and cannot undo it.

- ``complaints_changed(party_ids, case_ids)``: a customer's complaint was opened, or changed status
  (resolved, closed, reopened...).
"""
from __future__ import annotations

from django.dispatch import Signal

complaints_changed = Signal()

