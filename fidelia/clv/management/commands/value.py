from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from fidelia.clv.enums import CountModel
from fidelia.clv.models import ValueModelRun
from fidelia.clv.services import value_model_run
from fidelia.core.context import work_context
from fidelia.core.errors import ValidationFailed

STEPS = ["fetch", "fit", "calibration", "score"]


class Command(BaseCommand):
    help = ("Customer value. `run`: fit the purchase model (BG/NBD or Pareto/NBD) and the Gamma-Gamma "
            "spend model on every customer's purchases up to --as-of (default today), then store each "
            "customer's P(alive), expected purchases, CLV and capital; it only writes derived results "
            "(the previous ones are replaced). `show`: print the last run's parameters, standard errors, "
            "log-likelihood, warnings and calibration check. The run is also scheduled nightly "
            "(fidelia.clv.tasks.value_model_run_task).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["run", "show"])
        parser.add_argument("--as-of", dest="as_of", type=dt.date.fromisoformat, default=None,
                            help="end of the observation period (YYYY-MM-DD), default today")
        parser.add_argument("--model", choices=CountModel.values, default=CountModel.BGNBD,
                            help="purchase-count model (default bgnbd)")
        parser.add_argument("--horizon", type=int, default=None, help="capital horizon in months (1–120)")
        parser.add_argument("--discount", type=float, default=None, help="monthly discount rate, e.g. 0.01")

    def handle(self, *args: Any, action: str, as_of: dt.date | None, model: str, horizon: int | None,
               discount: float | None, **opts: Any) -> None:
        if action == "show":
            return self._show()
        with work_context(channel="cli"), tqdm(total=len(STEPS), unit="step", disable=None, file=self.stderr) as bar:
            def progress(label: str) -> None:
                bar.set_description(label)
                bar.update(1)

            try:
                run = value_model_run(as_of=as_of or timezone.localdate(), actor=None, count_model=model,
                                      horizon_months=horizon, monthly_discount=discount, progress=progress)
            except ValidationFailed as exc:
                raise CommandError("; ".join(f"--{k.replace('_months', '').replace('monthly_', '')}: {' '.join(v)}"
                                             for k, v in exc.fields.items()) or exc.message) from None
        self._print(run)

    def _show(self) -> None:
        run = ValueModelRun.objects.order_by("-created_at", "-id").first()
        if run is None:
            raise CommandError("No value model run yet: run `fidelia value run` first.")
        self._print(run)

    def _print(self, run: ValueModelRun) -> None:
        w = self.stdout.write
        w(f"Run {run.pk} ({run.get_count_model_display()}, as of {run.as_of}): {run.get_status_display()}, "
          f"{run.n_customers} customers, {run.n_repeat_buyers} repeat buyers, {run.duration_ms} ms")
        for name, value in {**run.params, **run.spend_params}.items():
            se = {**run.se, **run.spend_se}.get(name)
            w(f"  {name:>6} = {value:.4g}" + (f" ± {se:.3g}" if se is not None else ""))
        if run.loglik is not None:
            w(f"  log-likelihood = {run.loglik:.2f} (spend {run.spend_loglik or 0:.2f})")
        if run.calibration:
            c = run.calibration
            w(f"  holdout {c['holdout_weeks']:.0f} weeks: predicted {c['predicted_total']:.0f}, "
              f"actual {c['actual_total']:.0f} repeat purchases")
        for text in run.warnings:
            w(self.style.WARNING(f"  ! {text}"))
        if run.totals:
            w(f"  CLV 12 months {run.totals.get('clv_12m', 0):,.0f} €, capital {run.totals.get('capital', 0):,.0f} €")
