"""Seed the course's weighted scoring grid (DOMAIN.md §5) and a FIOCA grid of two entered criteria.

Names stay in English here; pages translate them while they keep these defaults (see `grid_labels`).
"""
from django.db import migrations

DEFAULT = [
    # code, name, group, coefficient, source, metric, method, thresholds
    ("sector_attractiveness", "Sector attractiveness", "potential", 2, "entered", "", "", []),
    ("technology_level", "Technology level", "potential", 1, "entered", "", "", []),
    # INSEE size classes: micro < 10, small < 50, medium < 250, intermediate < 5,000, large
    ("customer_turnover", "Customer's turnover (company size)", "potential", 3, "derived", "employees", "thresholds",
     [10, 50, 250, 5000]),
    ("purchase_frequency", "12-month purchase frequency", "potential", 3, "derived", "frequency_12m", "quintiles", []),
    ("market_type", "Derived market type", "potential", 1, "entered", "", "", []),
    ("sales", "Sales made with the customer", "performance", 2, "derived", "revenue_12m", "quintiles", []),
    ("seniority", "Seniority", "performance", 1, "derived", "seniority", "thresholds", [1, 3, 5, 10]),
    ("equipment_rate", "Equipment rate", "performance", 3, "derived", "equipment_rate", "thresholds",
     [0.2, 0.4, 0.6, 0.8]),
    ("annual_capacity", "Annual production capacity", "performance", 3, "entered", "", "", []),
    ("commercial_terms", "Ease of commercial terms (5 = easy)", "performance", 1, "entered", "", "", []),
]
FIOCA = [
    ("strategic_importance", "Strategic importance", "potential", 1, "entered", "", "", []),
    ("relationship_difficulty", "Difficulty of the relationship", "performance", 1, "entered", "", "", []),
]


def seed(apps, schema_editor):
    grid_model = apps.get_model("portfolio", "ScoringGrid")
    criterion_model = apps.get_model("portfolio", "Criterion")
    for code, name, default, criteria in (
            ("value", "Customer value (potential × performance)", True, DEFAULT),
            ("fioca", "FIOCA (strategic importance × relationship difficulty)", False, FIOCA)):
        grid, created = grid_model.objects.get_or_create(code=code, defaults={"name": name, "is_default": default})
        if created:
            criterion_model.objects.bulk_create([
                criterion_model(grid=grid, code=c, name=n, group=g, coefficient=k, source=s, metric=m, method=r,
                                thresholds=t, position=i)
                for i, (c, n, g, k, s, m, r, t) in enumerate(criteria)])


def unseed(apps, schema_editor):
    apps.get_model("portfolio", "ScoringGrid").objects.filter(code__in=["value", "fioca"]).delete()


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
