from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from fidelia.attrition import selectors, services
from fidelia.attrition.enums import RunStatus
from fidelia.attrition.models import ModelRun
from fidelia.attrition.validation import cdnow_evaluation
from fidelia.core.context import work_context

STEPS = ["fetch", "features", "validate", "score", "store"]


class Command(BaseCommand):
    help = ("Attrition. `train`: train the risk model on an earlier cut-off, test it on a later one against "
            "the BG/NBD baseline, retrain and score every active customer as of --as-of (default today); "
            "stores the risks (replacing the previous ones) and proposes calls for high risk × high value. "
            "`score` is the same run (the model is always retrained on the latest complete window). "
            "`suggest`: the daily check proposing lost-customer records to confirm. `report`: the last run's "
            "metrics, or --cdnow PATH to validate on the CDNOW sample. Nothing is deleted but stored scores. "
            "Runs nightly under Celery beat (fidelia.attrition.tasks.attrition_nightly_task).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["train", "score", "suggest", "report"])
        parser.add_argument("--as-of", dest="as_of", default=None, help="reference date YYYY-MM-DD (default today)")
        parser.add_argument("--cdnow", default=None, help="report: path of a CDNOW file to validate the model on")

    def handle(self, *args: Any, action: str, as_of: str | None, cdnow: str | None, **opts: Any) -> None:
        try:
            today = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
        if today > timezone.localdate():
            raise CommandError("--as-of cannot be in the future")
        with work_context(channel="cli"):
            if action == "report":
                return self._report(cdnow)
            if action == "suggest":
                self.stdout.write(f"{services.suggest_losses(today=today)} lost customer(s) suggested.")
                return None
            with tqdm(total=len(STEPS), unit="step", disable=None, file=self.stderr) as bar:
                run = services.model_run(today=today, progress=lambda label: (bar.set_description(label), bar.update()))
        if run.status != RunStatus.DONE:
            raise CommandError(f"The run failed: {run.error}")
        self._print(run)
        return None

    def _report(self, cdnow: str | None) -> None:
        if cdnow:
            try:
                result = cdnow_evaluation(cdnow)
            except OSError as exc:
                raise CommandError(f"--cdnow: {exc}") from None
            for key in ("model", "baseline", "baseline_expected"):
                m = result[key]
                self.stdout.write(f"{key:18} AUC {m['auc']:.3f}  precision@10% {m['precision_top10']:.3f}  "
                                  f"Brier {m['brier']:.3f}")
            self.stdout.write(f"customers {result['customers']}, holdout churn rate {result['churn_rate']:.3f}")
            return
        run = selectors.latest_run() or ModelRun.objects.first()
        if run is None:
            raise CommandError("No model run yet: run `fidelia attrition train` first.")
        self._print(run)

    def _print(self, run: ModelRun) -> None:
        self.stdout.write(json.dumps({"run": run.pk, "status": run.status, "as_of": run.reference_date.isoformat(),
                                      "customers": run.customers, "metrics": run.metrics,
                                      "durations": run.durations}, indent=2, default=str))
