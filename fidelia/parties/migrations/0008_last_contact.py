"""Last contact coming from the customer and last contact we made, filled from the timeline."""

from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery


def backfill(apps, schema_editor):
    party = apps.get_model("parties", "Party")
    interaction = apps.get_model("interactions", "Interaction")

    def latest(direction):
        rows = (interaction.objects.filter(party_id=OuterRef("pk"), direction=direction)
                .values("party_id").annotate(at=Max("occurred_at")).values("at"))
        return Subquery(rows[:1])

    party.objects.update(last_inbound_at=latest("inbound"), last_outbound_at=latest("outbound"))


class Migration(migrations.Migration):

    dependencies = [
        ('parties', '0007_city_sort_index'),
        ('interactions', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='party',
            name='last_inbound_at',
            field=models.DateTimeField(blank=True, db_index=True, editable=False, null=True, verbose_name='last contact from the customer'),
        ),
        migrations.AddField(
            model_name='party',
            name='last_outbound_at',
            field=models.DateTimeField(blank=True, db_index=True, editable=False, null=True, verbose_name='last contact we made'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
