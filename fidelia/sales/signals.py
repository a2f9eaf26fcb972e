"""What the sales app announces to the apps built on it.

Sales sits below loyalty, customer value, attrition and marketing in the import order, so it cannot
call them; they subscribe here instead (in their ``AppConfig.ready``). Signals are sent after the
recording transaction commits, so a receiver never sees a purchase that was rolled back, and a
failing receiver cannot undo the purchase.

- ``purchases_recorded(party_ids, transaction_ids)``: purchases (or refunds) were recorded, one at
  a time or by an import batch.
- ``contracts_signed(party_ids, contract_ids)``: contracts were created.
- ``opportunities_created(party_ids, opportunity_ids)``: opportunities were opened.
- ``web_lead_captured(lead_id, email, campaign_token)``: the public web form recorded a lead (sent
  by the form's page once the lead is saved, with ``send_robust``: a receiver never breaks the
  form). ``campaign_token`` is the page's ``c`` parameter or ``fidelia_c`` cookie, opaque to sales.
"""
from __future__ import annotations

from django.dispatch import Signal

purchases_recorded = Signal()
contracts_signed = Signal()
opportunities_created = Signal()
web_lead_captured = Signal()
CAMPAIGN_TOKEN_PARAM = "c"
CAMPAIGN_TOKEN_COOKIE = "fidelia_c"

