"""Background jobs of the demo app."""

from __future__ import annotations

from celery import shared_task

from fidelia.demo.services import seed_customers


# Not acks_late: seeding adds rows, so a redelivered message would add a second batch of customers.
@shared_task(name="fidelia.demo.tasks.seed_task", acks_late=False)
def seed_task(
    *, customers: int, seed: int = 0, transactions_per_customer: float = 10.0
) -> dict[str, float]:
    """Seed `customers` generated customers (see `fidelia seed`); return the figures of the run."""
    report = seed_customers(
        customers=customers,
        seed=seed,
        transactions_per_customer=transactions_per_customer,
        progress=False,
    )
    return {
        "customers": report.customers,
        "rows": report.total_rows,
        "seconds": round(report.seconds, 3),
    }
