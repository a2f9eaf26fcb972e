"""Logging a contact from the 360 page: one POST, the refreshed timeline back."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from fidelia.accounts import policies
from fidelia.core.errors import DomainError
from fidelia.interactions import services
from fidelia.interactions.forms import InteractionForm
from fidelia.interactions.selectors import interactions_for_user
from fidelia.parties.fields import served_on_file
from fidelia.parties.forms import add_domain_errors
from fidelia.parties.selectors import TIMELINE_SIZE, party_file, party_get_for_user
from fidelia.parties.timeline import party_timeline
from fidelia.parties.views import file_context
from fidelia.privacy.reads import audit_sensitive_read


@login_required
@require_POST
def interaction_log(request: HttpRequest, party_pk: int) -> HttpResponse:
    """Log a contact; HTMX gets the timeline partial (with errors if any), a plain POST a redirect.

    A user who may read the party but not log contacts gets 404, like one who may not read it.
    """
    party = party_get_for_user(user=request.user, pk=party_pk)
    if not policies.can_log_interaction(request.user):
        raise Http404
    form = InteractionForm(request.POST)
    if form.is_valid():
        try:
            services.interaction_log(party=party, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            form = InteractionForm()
    if not request.htmx:
        if not form.errors:
            return redirect(f"{reverse('parties:detail', args=[party.pk])}#actions")
        # Without HTMX the errors come back on the whole page, the typed text kept.
        party = party_file(user=request.user, pk=party.pk)
        context = file_context(request, party, open_tab="actions", interaction_form=form)
        # the whole file is served again: its sensitive fields are a read like any other
        audit_sensitive_read(user=request.user, fields=served_on_file(request.user, party), party_id=party.pk,
                             obj_type="parties.party")
        return render(request, "parties/detail.html", context)
    timeline = party_timeline(party=party, user=request.user, limit=TIMELINE_SIZE,
                              interactions=interactions_for_user(request.user).filter(party=party))
    context = {"party": party, "interactions": timeline, "interaction_form": form, "can_log": True,
               "logged": not form.errors, "interaction_count": party.interactions.count()}
    return render(request, "interactions/partials/timeline.html", context)
