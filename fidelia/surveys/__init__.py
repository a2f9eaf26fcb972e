"""CSAT, NPS and custom surveys sent through tokenised public links."""
