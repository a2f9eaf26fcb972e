"""Requests and complaints, SLAs, inbound and outbound e-mail, the agent workspace."""
