"""The SUSHI harvest as the kit's job: one replica at a time (the job's lease), a due month at a
run, fetched in `prepare` (no transaction open while the vendor answers) and recorded in the
run's transaction; at once again while months are due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chassis.jobs import Job, JobContext, JobRun
from kpi.resources import KpiResources
from kpi.settings import KpiSettings
from kpi.sushi.client import SushiFailed, fetch_report
from kpi.sushi.sealing import CredentialsUnreadable
from kpi.sushi.service import Due, next_due, record_outcome

EVERY = timedelta(minutes=15)


@dataclass(frozen=True)
class Fetched:
    due: Due
    report: bytes | None
    error: str | None


async def fetch_due(resources: KpiResources, due: Due) -> Fetched:
    try:
        credentials = resources.sealer.open(due.sealed, product_id=due.product_id)
        report = await fetch_report(
            resources.sushi,
            base_url=due.base_url,
            report_id=due.report_id,
            credentials=credentials,
            month=due.month,
        )
    except (SushiFailed, CredentialsUnreadable) as exc:
        return Fetched(due=due, report=None, error=str(exc))
    return Fetched(due=due, report=report, error=None)


async def _prepare(context: JobContext) -> Fetched | None:
    assert context.runtime is not None
    resources = context.runtime.resources
    assert isinstance(resources, KpiResources)
    due = await next_due(context.runtime.db, now=context.now)
    if due is None:
        return None
    return await fetch_due(resources, due)


async def _run(run: JobRun) -> datetime | None:
    fetched = run.prepared
    if not isinstance(fetched, Fetched):
        return None
    settings = run.settings
    assert isinstance(settings, KpiSettings)
    await record_outcome(
        run.session,
        due=fetched.due,
        report=fetched.report,
        error=fetched.error,
        settings=settings.sushi,
        now=run.now,
    )
    # Another month may be due: look at once.
    return run.now


HARVEST_SUSHI = Job(name="harvest-sushi", run=_run, every=EVERY, prepare=_prepare)
