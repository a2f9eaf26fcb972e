"""Test support: import sample data through the normal path (upload, mapping, dry run, import)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from fidelia.accounts.models import User
from fidelia.imports.models import ImportRun

CDNOW_DIR = Path("/work/shared/data/cdnow")


def ensure_cdnow_product() -> None:
    """The catalogue entry CDNOW lines are recorded against: one CD (price and margin unknown)."""
    from fidelia.sales.enums import ProductKind
    from fidelia.sales.models import Product, ProductFamily

    family, _created = ProductFamily.objects.get_or_create(name="Music")
    Product.objects.get_or_create(code="CDNOW-CD", defaults={
        "name": "CD (CDNOW)", "family": family, "kind": ProductKind.TACTICAL, "price": Decimal("0"),
        "margin_rate": Decimal("0")})


def import_cdnow(path: str | Path | None = None, *, actor: User, batch_size: int = 1000) -> ImportRun:
    """Import a CDNOW transaction log (default: the 1/10 sample) as transactions of `actor`.

    Customers are created on first sight, named “cdnow <id>” (the log names no one), in the
    portfolio the actor's imports land in; each line becomes one transaction of product CDNOW-CD.
    Lines with a value of 0 are refused (a transaction has a non-zero amount) and listed in the
    run's errors. The sample's two id columns (original and sample id) are handled.
    """
    from fidelia.imports import services

    path = Path(path) if path else CDNOW_DIR / "CDNOW_sample.txt"
    data = path.read_bytes()
    ensure_cdnow_product()
    run = services.import_run_create(actor=actor, filename=path.name, data=data, target="transactions",
                                     delimiter="whitespace", template="CDNOW transaction log")
    if "customer_id" not in run.headers:  # the sample has no header: id, sample id, date, CDs, value
        columns = run.headers
        mapping = {columns[0]: "party_external_id", columns[2]: "date", columns[3]: "quantity", columns[4]: "amount"}
        run = services.import_run_configure(run=run, actor=actor, mapping=mapping, batch_size=batch_size)
    else:
        run = services.import_run_configure(run=run, actor=actor, batch_size=batch_size)
    run = services.import_run_dry_run(run=run, actor=actor)
    run = services.import_run_start(run=run, actor=actor)
    return services.import_run_execute(run_id=run.pk)
