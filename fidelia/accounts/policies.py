"""Who may see and do what — decided here, in one place, and used by pages, API, search, exports and CLI.

Portfolio rules:
- administrators and the DPO see every party;
- marketing and service agents read every party (campaigns and the call centre serve the whole base);
  service agents may log interactions, neither may change identity data;
- sales managers read and change their team's parties;
- sales reps read and change their own portfolio, and read (only) their team's if the team allows it;
- analysts work on aggregates only: no individual party.
Anything a user may not read answers 404, never 403, so existence does not leak.

Field-level rights: sensitive fields (`SensitiveField`) are shown only to the roles listed in
`SENSITIVE_READ_ROLES`, on top of the portfolio rule; for the others they are absent, not blank,
from pages, API, exports and search, and writing them is refused.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from fidelia.accounts.enums import Role, SensitiveField

if TYPE_CHECKING:
    from fidelia.accounts.models import User

READ_ALL_ROLES = frozenset({Role.ADMIN, Role.DPO, Role.MARKETING, Role.SERVICE_AGENT})
WRITE_ALL_ROLES = frozenset({Role.ADMIN})
INTERACTION_ROLES = frozenset({Role.ADMIN, Role.SALES_REP, Role.SALES_MANAGER, Role.SERVICE_AGENT})
CATALOGUE_WRITE_ROLES = frozenset({Role.ADMIN, Role.SALES_MANAGER})
PARTY_CREATE_ROLES = frozenset({Role.ADMIN, Role.SALES_REP, Role.SALES_MANAGER, Role.SERVICE_AGENT})


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def party_read_filter(user: User) -> Q | None:
    """A Q over Party selecting what `user` may read; None means nothing at all."""
    if not _active(user):
        return None
    if user.role in READ_ALL_ROLES:
        return Q()
    if user.role == Role.SALES_MANAGER:
        return Q(team_id=user.team_id) | Q(owner_id=user.pk) if user.team_id else Q(owner_id=user.pk)
    if user.role == Role.SALES_REP:
        if user.team_id and user.team and user.team.reps_read_team:
            return Q(owner_id=user.pk) | Q(team_id=user.team_id)
        return Q(owner_id=user.pk)
    return None


def party_write_filter(user: User) -> Q | None:
    """A Q over Party selecting what `user` may change (identity, contact points, household...)."""
    if not _active(user):
        return None
    if user.role in WRITE_ALL_ROLES:
        return Q()
    if user.role == Role.SALES_MANAGER:
        return Q(team_id=user.team_id) | Q(owner_id=user.pk) if user.team_id else Q(owner_id=user.pk)
    if user.role == Role.SALES_REP:
        return Q(owner_id=user.pk)
    return None


CONSENT_ON_READ_ROLES = frozenset({Role.DPO, Role.SERVICE_AGENT})


def party_consent_filter(user: User) -> Q | None:
    """Parties on which `user` may record a consent decision.

    Whoever may change the file may; so may the call centre and the DPO on every file they read,
    because a customer withdraws consent by calling or writing, and that must be recorded at once.
    """
    if _active(user) and user.role in CONSENT_ON_READ_ROLES:
        return party_read_filter(user)
    return party_write_filter(user)


def can_read_parties(user: User) -> bool:
    """Whether the user works with individual customers at all (analysts do not)."""
    return party_read_filter(user) is not None


def can_create_party(user: User) -> bool:
    return _active(user) and user.role in PARTY_CREATE_ROLES


def can_log_interaction(user: User) -> bool:
    return _active(user) and user.role in INTERACTION_ROLES


def can_edit_catalogue(user: User) -> bool:
    return _active(user) and user.role in CATALOGUE_WRITE_ROLES


def can_read_catalogue(user: User) -> bool:
    return _active(user)


def can_assign_owner(user: User) -> bool:
    """Reps create into their own portfolio; managers and admins may assign."""
    return _active(user) and user.role in {Role.ADMIN, Role.SALES_MANAGER}


def can_export_subject(user: User) -> bool:
    """Access and portability requests are answered by the DPO (or an administrator)."""
    return _active(user) and user.role in {Role.DPO, Role.ADMIN}


def can_erase_subject(user: User) -> bool:
    """Erasure is irreversible: the DPO decides it."""
    return _active(user) and user.role == Role.DPO


SENSITIVE_READ_ROLES: dict[str, frozenset[str]] = {
    # Advisers need the income bracket and the children's ages to advise (suitability duty).
    SensitiveField.INCOME_BRACKET: frozenset({Role.ADMIN, Role.DPO, Role.SALES_MANAGER, Role.SALES_REP}),
    SensitiveField.CHILDREN_BIRTH_DATES: frozenset({Role.ADMIN, Role.DPO, Role.SALES_MANAGER, Role.SALES_REP}),
    # The call centre answers questions about purchases and movements; marketing works on segments.
    SensitiveField.TRANSACTIONS: frozenset({Role.ADMIN, Role.DPO, Role.SALES_MANAGER, Role.SALES_REP,
                                            Role.SERVICE_AGENT}),
    # Margins are commercial secrets: pricing (managers) and analysis only.
    SensitiveField.MARGINS: frozenset({Role.ADMIN, Role.SALES_MANAGER, Role.ANALYST}),
}


def can_read_sensitive(user: User, field: str) -> bool:
    return _active(user) and user.role in SENSITIVE_READ_ROLES.get(field, frozenset())


def readable_sensitive(user: User) -> frozenset[str]:
    """The sensitive fields `user` may see."""
    return frozenset(f for f in SensitiveField.values if can_read_sensitive(user, f))


def can_manage_subject_requests(user: User) -> bool:
    """The register of data-subject requests and the suppression list are the DPO's (or an administrator's)."""
    return _active(user) and user.role in {Role.DPO, Role.ADMIN}


def can_view_audit(user: User) -> bool:
    """The audit log (who did what, when) is read by administrators and the DPO only; for anyone
    else its pages answer 404 and no link to them is shown."""
    return _active(user) and user.role in {Role.ADMIN, Role.DPO}


TWO_FACTOR_ROLES = frozenset({Role.ADMIN, Role.DPO})


def requires_two_factor(user: User) -> bool:
    """Administrators and the DPO must sign in with a second factor (TOTP); others may choose to."""
    return user.role in TWO_FACTOR_ROLES


def can_manage_own_tokens(user: User) -> bool:
    """Every active user may hold personal API tokens; a token never grants more than its user's role."""
    return _active(user)


def can_manage_retention(user: User) -> bool:
    """The retention register (how long data is kept) is the DPO's to change; the job runs it."""
    return _active(user) and user.role == Role.DPO


def can_read_retention(user: User) -> bool:
    """The retention register and the job's reports: the DPO, and administrators (read only)."""
    return _active(user) and user.role in {Role.DPO, Role.ADMIN}


# --- Analytics and portfolio management (Pareto, ABC, RFM, FRAT, scoring, matrices, RADAR) ---

ANALYTICS_ROLES = frozenset({Role.ADMIN, Role.SALES_MANAGER, Role.SALES_REP, Role.MARKETING, Role.ANALYST})


def can_view_analytics(user: User) -> bool:
    """The analytics dashboards: everyone who steers a portfolio or the base (not the call centre, not the DPO)."""
    return _active(user) and user.role in ANALYTICS_ROLES


def analytics_scope_filter(user: User) -> Q | None:
    """A Q over Party: the customers whose figures feed `user`'s dashboards.

    Reps and managers see their portfolio (as `party_read_filter`); analysts, marketing and
    administrators the whole base. None: no analytics at all.
    """
    if not can_view_analytics(user):
        return None
    if user.role == Role.ANALYST:
        return Q()
    return party_read_filter(user)


def can_see_individuals_in_analytics(user: User) -> bool:
    """Whether dashboards may name customers (lists per class, bubbles clickable to the file).
    Analysts work on aggregates only: counts, shares and charts without names."""
    return can_view_analytics(user) and can_read_parties(user)


def can_run_analytics(user: User) -> bool:
    """Recomputing the stored results (also done every night by the scheduled job)."""
    return _active(user) and user.role in {Role.ADMIN, Role.ANALYST, Role.SALES_MANAGER, Role.MARKETING}


def can_configure_analytics(user: User) -> bool:
    """Scoring grids, criteria, coefficients, derivation rules, cut-offs and matrix axes."""
    return _active(user) and user.role in {Role.ADMIN, Role.SALES_MANAGER, Role.MARKETING, Role.ANALYST}


# --- Getting data in and out (imports, deduplication, exports, BI feed) ---

IMPORT_ROLES = frozenset({Role.ADMIN, Role.SALES_MANAGER, Role.MARKETING})


def can_import(user: User) -> bool:
    """Running imports: administrators, sales managers and marketing (lists bought or collected).
    Imported parties land in portfolios the importer may write (managers: their team)."""
    return _active(user) and user.role in IMPORT_ROLES


def can_review_duplicates(user: User) -> bool:
    """The duplicate review queue and merges (data stewardship). A merge also needs write access
    to both parties (`party_write_filter`), checked by the merge service."""
    return _active(user) and user.role in {Role.ADMIN, Role.SALES_MANAGER}


def can_run_duplicate_scan(user: User) -> bool:
    return _active(user) and user.role == Role.ADMIN


def can_export_lists(user: User) -> bool:
    """Exporting a list the user can see (visibility and field rights still apply, every export is audited)."""
    return _active(user)


def can_read_bi_feed(user: User) -> bool:
    """The BI feed (pseudonymous analytics tables for Metabase or a warehouse)."""
    return _active(user) and user.role in {Role.ADMIN, Role.ANALYST}


def owned_read_filter(user: User, *, owner: str = "owner", team: str = "team") -> Q | None:
    """A Q over any record carrying an owner and a team (leads, opportunities, appointments,
    actions, cases...) following the portfolio rule of `party_read_filter`; None means nothing."""
    base = party_read_filter(user)
    if base is None:
        return None
    if user.role in READ_ALL_ROLES:
        return Q()
    mine = Q(**{f"{owner}_id": user.pk})
    if user.role == Role.SALES_MANAGER and user.team_id:
        return mine | Q(**{f"{team}_id": user.team_id})
    if user.role == Role.SALES_REP and user.team_id and user.team and user.team.reps_read_team:
        return mine | Q(**{f"{team}_id": user.team_id})
    return mine


# --- Sales force automation: leads, opportunities, pipeline, quotes, orders (issue 4) ---

PIPELINE_ROLES = frozenset({Role.ADMIN, Role.SALES_MANAGER, Role.SALES_REP})


def can_work_pipeline(user: User) -> bool:
    """Leads, opportunities and quotes are the sales force's; records follow `owned_read_filter`."""
    return _active(user) and user.role in PIPELINE_ROLES


def can_configure_pipeline(user: User) -> bool:
    """Pipeline stages, their probabilities and the lost reasons."""
    return _active(user) and user.role in {Role.ADMIN, Role.SALES_MANAGER}


def can_view_sales_reports(user: User) -> bool:
    """Forecast, win rate, cycle length and funnel: reps see their own figures, managers their team's,
    analysts aggregates."""
    return _active(user) and user.role in PIPELINE_ROLES | {Role.ANALYST}


def pipeline_read_filter(user: User) -> Q | None:
    """A Q over opportunities and quotes (owner/team) the user may read; None means nothing."""
    if not can_work_pipeline(user):
        return None
    return owned_read_filter(user)


def lead_read_filter(user: User) -> Q | None:
    """Leads follow `owned_read_filter`; unassigned leads (web form) are also seen by managers, who assign them."""
    base = pipeline_read_filter(user)
    if base is None:
        return None
    if user.role == Role.SALES_MANAGER:
        return base | Q(owner__isnull=True, team__isnull=True) | Q(owner__isnull=True, team_id=user.team_id)
    return base


def sales_report_filter(user: User) -> Q | None:
    """Opportunities counted in the sales reports: analysts see aggregates over everyone, the others
    the opportunities they may read."""
    if not can_view_sales_reports(user):
        return None
    if user.role == Role.ANALYST:
        return Q()
    return owned_read_filter(user)

# --- end sales force automation ---


# --- Agenda: appointments and shared calendars (issue 4) ---

AGENDA_ROLES = frozenset({Role.ADMIN, Role.SALES_MANAGER, Role.SALES_REP, Role.SERVICE_AGENT, Role.MARKETING})


def can_use_agenda(user: User) -> bool:
    """A personal calendar; others' calendars only through their delegations (read or read/write)."""
    return _active(user) and user.role in AGENDA_ROLES


def agenda_read_all(user: User) -> bool:
    """Administrators read every calendar (support); everyone else goes through the rules below."""
    return can_use_agenda(user) and user.role == Role.ADMIN


def agenda_reads_team_calendars(user: User) -> bool:
    """Sales managers read (not write) the calendars of their team, to organise cover."""
    return can_use_agenda(user) and user.role == Role.SALES_MANAGER and bool(user.team_id)


def agenda_may_write_calendar(user: User, *, owner_id: int, delegated_write: bool) -> bool:
    """Booking in a calendar: one's own, one shared with write rights, or any for an administrator.
    A read delegation or a manager's team view never allows writing."""
    if not can_use_agenda(user):
        return False
    return owner_id == user.pk or delegated_write or user.role == Role.ADMIN

# --- end agenda ---


# --- Actions to take and their rules (issue 4) ---

ACTION_ROLES = frozenset({Role.ADMIN, Role.SALES_MANAGER, Role.SALES_REP, Role.SERVICE_AGENT})


def can_use_actions(user: User) -> bool:
    """The daily list of actions to take; a user sees the actions they own, a manager their team's."""
    return _active(user) and user.role in ACTION_ROLES


def can_manage_action_rules(user: User) -> bool:
    """Action rules are data that managers write and edit."""
    return _active(user) and user.role in {Role.ADMIN, Role.SALES_MANAGER}


def action_read_filter(user: User) -> Q | None:
    """Actions a user sees: their own; a manager also their team's; administrators all. Service
    agents only their own (they may be assigned follow-ups). None means nothing."""
    if not can_use_actions(user):
        return None
    if user.role == Role.ADMIN:
        return Q()
    mine = Q(owner_id=user.pk)
    if user.role == Role.SALES_MANAGER and user.team_id:
        return mine | Q(team_id=user.team_id)
    return mine


def can_view_action_stats(user: User) -> bool:
    """Completion rates per rep and per rule: managers (their team) and administrators."""
    return _active(user) and user.role in {Role.ADMIN, Role.SALES_MANAGER}

# --- end actions to take ---


# --- Customer service: cases, SLAs, knowledge base (issue 5) ---

SERVICE_ROLES = frozenset({Role.ADMIN, Role.SERVICE_AGENT, Role.SALES_MANAGER, Role.SALES_REP})


def can_work_cases(user: User) -> bool:
    """Requests and complaints: the call centre works every case; reps and managers see the cases of
    the customers they read (through `party_read_filter`)."""
    return _active(user) and user.role in SERVICE_ROLES


def can_configure_service(user: User) -> bool:
    """SLA policies, queues, categories, reply templates and macros."""
    return _active(user) and user.role == Role.ADMIN


def can_view_service_reports(user: User) -> bool:
    return _active(user) and user.role in {Role.ADMIN, Role.SERVICE_AGENT, Role.SALES_MANAGER, Role.ANALYST}


def case_read_filter(user: User) -> Q | None:
    """A Q over service cases `user` may read; None means nothing. The call centre and administrators
    read every case (unknown senders included); managers and reps the cases of the customers they
    read under the portfolio rule, plus the cases they own."""
    if not can_work_cases(user):
        return None
    if user.role in {Role.ADMIN, Role.SERVICE_AGENT}:
        return Q()
    mine = Q(owner_id=user.pk) | Q(party__owner_id=user.pk)
    if user.role == Role.SALES_MANAGER and user.team_id:
        return mine | Q(party__team_id=user.team_id)
    if user.role == Role.SALES_REP and user.team_id and user.team and user.team.reps_read_team:
        return mine | Q(party__team_id=user.team_id)
    return mine


def can_read_knowledge(user: User) -> bool:
    """Internal articles are for every member of staff; public ones for everyone."""
    return _active(user)


def can_edit_knowledge(user: User) -> bool:
    return _active(user) and user.role in {Role.ADMIN, Role.SERVICE_AGENT}

# --- end customer service ---


# --- Satisfaction surveys (issue 5) ---

def can_manage_surveys(user: User) -> bool:
    """Writing and sending CSAT, NPS and custom surveys."""
    return _active(user) and user.role in {Role.ADMIN, Role.MARKETING, Role.SERVICE_AGENT}


def can_view_surveys(user: User) -> bool:
    """Survey results: analysts see aggregates only (`can_read_parties` decides on names)."""
    return _active(user) and user.role in {Role.ADMIN, Role.MARKETING, Role.SERVICE_AGENT, Role.SALES_MANAGER,
                                           Role.ANALYST}

# --- end satisfaction surveys ---


# --- Marketing: segments and campaigns (issue 8) ---

def can_run_campaigns(user: User) -> bool:
    """Building segments and campaigns, sending them."""
    return _active(user) and user.role in {Role.ADMIN, Role.MARKETING}


def can_view_campaigns(user: User) -> bool:
    """Campaign results and KPIs."""
    return _active(user) and user.role in {Role.ADMIN, Role.MARKETING, Role.SALES_MANAGER, Role.ANALYST}

# --- end marketing ---


# --- Customer value: lifetime value, capital, retention efforts (issue 7) ---

RETENTION_EFFORT_ROLES = frozenset({Role.ADMIN, Role.SALES_MANAGER, Role.SALES_REP, Role.MARKETING})


def can_record_retention_effort(user: User) -> bool:
    """Recording gifts, discounts and other retention spending on a customer the user may read
    (the customer itself is checked with `party_get_for_user`)."""
    return _active(user) and user.role in RETENTION_EFFORT_ROLES

# --- end customer value ---


# --- Loyalty: programmes, points, rewards, referral, clubs (issue 8) ---

def can_manage_loyalty(user: User) -> bool:
    """Setting up the programme: earning rules, tiers, rewards, clubs."""
    return _active(user) and user.role in {Role.ADMIN, Role.MARKETING}


def can_view_loyalty(user: User) -> bool:
    """The Loyalty page (programme, members list filtered by `parties_for_user`)."""
    return _active(user) and user.role in {Role.ADMIN, Role.MARKETING, Role.SALES_MANAGER}


def can_use_loyalty(user: User) -> bool:
    """Enrolling, redeeming, registering a referral on a customer the user may read (the customer
    itself is checked with `party_get_for_user`)."""
    return _active(user) and user.role in {Role.ADMIN, Role.MARKETING, Role.SALES_MANAGER, Role.SALES_REP,
                                           Role.SERVICE_AGENT}

# --- end loyalty ---
