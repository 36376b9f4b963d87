"""The harvest as the kit's jobs, one per feed (catalogue, training, helpdesk): one replica at a
time, every 30 s, at once again while the feed has more; a failure (the service down) leaves the
cursor where it was, for the next run."""

from __future__ import annotations

from datetime import datetime, timedelta

from chassis.jobs import Job, JobContext, JobRun
from kpi.harvest.feed import Fetched
from kpi.harvest.service import apply_page, read_page
from kpi.settings import KpiSettings

EVERY = timedelta(seconds=30)


def feed_job(feed: str) -> Job:
    async def prepare(context: JobContext) -> Fetched | None:
        settings = context.settings
        assert isinstance(settings, KpiSettings)
        assert context.runtime is not None
        return await read_page(context.runtime.db, context.runtime.http, settings.harvest, feed)

    async def run(run: JobRun) -> datetime | None:
        fetched = run.prepared
        if not isinstance(fetched, Fetched):
            return None
        applied = await apply_page(run.session, fetched, now=run.now)
        # A full page, or a page another process applied first: the next one is due at once.
        return run.now if (not applied or fetched.page.has_more) else None

    return Job(name=f"harvest-{feed}", run=run, every=EVERY, prepare=prepare)


HARVEST_CATALOGUE = feed_job("catalogue")
HARVEST_TRAINING = feed_job("training")
HARVEST_HELPDESK = feed_job("helpdesk")
