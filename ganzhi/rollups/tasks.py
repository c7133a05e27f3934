from django_tasks import task

from ganzhi.rollups import services


@task()
def refresh_rollups_task() -> dict:
    """Run by the clock every GANZHI_ROLLUP_SECONDS; see services.refresh."""
    result = services.refresh()
    return {"slices": result.slices, "seconds": round(result.seconds, 3)}
