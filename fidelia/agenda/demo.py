"""Demo appointments: each rep's calendar over the past 4 weeks and the next 3, with reports on
the held ones (they land in the customers' timelines), a few no-shows and cancellations, some
double bookings, and calendars shared between colleagues of the same agency."""
from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from fidelia.accounts.enums import Role
from fidelia.agenda import services
from fidelia.agenda.enums import AppointmentChannel, AppointmentStatus, ShareLevel
from fidelia.parties.models import Party

SEED = 20264
TOPICS = (
    ("Bilan patrimonial", AppointmentChannel.OFFICE), ("Point épargne", AppointmentChannel.PHONE),
    ("Étude prêt immobilier", AppointmentChannel.OFFICE), ("Renouvellement assurance auto", AppointmentChannel.PHONE),
    ("Visite de courtoisie", AppointmentChannel.VISIT), ("Présentation assurance-vie", AppointmentChannel.VIDEO),
    ("Signature du contrat", AppointmentChannel.OFFICE), ("Suivi de réclamation", AppointmentChannel.PHONE),
    ("Projet de retraite", AppointmentChannel.VISIT), ("Ouverture de compte enfant", AppointmentChannel.OFFICE),
)
REPORTS = (
    ("interested", "Client intéressé ; envoyer une proposition chiffrée avant la fin du mois."),
    ("sale", "Contrat signé en séance ; pièces justificatives complètes."),
    ("call_back", "Souhaite réfléchir ; rappeler dans quinze jours."),
    ("not_interested", "Pas de besoin pour le moment ; situation stable."),
    ("done", "Point fait sur les comptes ; aucune action à mener."),
)
INTERNAL = ("Réunion d’agence", "Formation conformité", "Point hebdomadaire")


def _weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)
            if (start + dt.timedelta(days=i)).weekday() < 5]


@transaction.atomic  # one commit: on SQLite a commit per appointment triples the time
def seed_demo(*, today: dt.date) -> None:
    rng = random.Random(SEED)
    tz = timezone.get_current_timezone()
    now = timezone.now()
    User = get_user_model()
    reps = sorted(User.objects.filter(role__in=[Role.SALES_REP, Role.SALES_MANAGER], team__isnull=False,
                                      is_active=True), key=lambda u: (u.role != Role.SALES_MANAGER, u.pk))
    customers: dict[int, list[Party]] = {}
    for party in Party.objects.filter(owner__in=reps, merged_into__isnull=True).order_by("pk").only("pk", "owner_id",
                                                                                                     "display_name"):
        customers.setdefault(party.owner_id, []).append(party)
    days = _weekdays(today - dt.timedelta(days=28), today + dt.timedelta(days=21))
    for rep in reps:
        mine = customers.get(rep.pk, [])
        for day in days:
            for _ in range(rng.choice((0, 0, 1, 1, 2)) if mine else 0):
                _book(rng, rep, rng.choice(mine), day, tz, now)
            team = [u for u in reps if u.team_id == rep.team_id]
            # The agency's Monday meeting: booked by the first member (the manager), the others attend.
            if day.weekday() == 0 and team[0].pk == rep.pk:
                start = dt.datetime.combine(day, dt.time(8, 30), tzinfo=tz)
                colleagues = team[1:6]
                row = services.appointment_create(actor=rep, owner=rep, title=rng.choice(INTERNAL), start=start,
                                                  end=start + dt.timedelta(hours=1), channel=AppointmentChannel.OFFICE,
                                                  place="Agence", attendees=colleagues)
                if row.end < now:
                    services.appointment_complete(appointment=row, actor=rep, version=row.version)
    _share(rng, reps)


def _book(rng: random.Random, rep: object, party: Party, day: dt.date, tz: object, now: dt.datetime) -> None:
    title, channel = rng.choice(TOPICS)
    start = dt.datetime.combine(day, dt.time(rng.randrange(9, 18), rng.choice((0, 30))), tzinfo=tz)
    length = dt.timedelta(minutes=rng.choice((30, 45, 60, 60, 90)) if channel != AppointmentChannel.PHONE else 30)
    place = {AppointmentChannel.VISIT: "Au domicile du client",
             AppointmentChannel.VIDEO: "https://visio.fidelia.example/salle-" + str(rng.randrange(100, 999)),
             AppointmentChannel.OFFICE: "Agence"}.get(channel, "")
    row = services.appointment_create(actor=rep, owner=rep, title=title, start=start,
                                      end=start + length, channel=channel, place=place, party=party)
    if row.end >= now:
        return
    draw = rng.random()
    if draw < 0.06:
        services.appointment_cancel(appointment=row, actor=rep, version=row.version, reason="Reporté par le client")
    elif draw < 0.12:
        services.appointment_complete(appointment=row, actor=rep, version=row.version,
                                      status=AppointmentStatus.NO_SHOW)
    else:
        outcome, report = rng.choice(REPORTS)
        services.appointment_complete(appointment=row, actor=rep, version=row.version, outcome=outcome, report=report)


def _share(rng: random.Random, reps: list) -> None:
    """Each rep shares with one agency colleague (write half the time), as for holiday cover."""
    by_team: dict[int, list] = {}
    for rep in reps:
        by_team.setdefault(rep.team_id, []).append(rep)
    for team in by_team.values():
        for i, rep in enumerate(team):
            if len(team) > 1 and rng.random() < 0.7:
                services.calendar_share_set(owner=rep, delegate=team[(i + 1) % len(team)], actor=rep,
                                            level=ShareLevel.WRITE if rng.random() < 0.5 else ShareLevel.READ)
