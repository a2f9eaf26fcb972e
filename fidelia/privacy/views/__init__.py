"""Views of the privacy app, one module per area: `audit` (audit viewer, change history) and
`dpo` (dashboard, data-subject requests, subject exports, retention register, suppression list)."""
