"""The DPO's pages: dashboard, data-subject requests, subject exports, retention register."""
