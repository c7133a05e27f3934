from django_tasks import task

from ganzhi.workorders import services


@task()
def sla_sweep_task() -> dict:
    """Run by the clock every GANZHI_SLA_SWEEP_SECONDS; see services.sla_sweep."""
    result = services.sla_sweep()
    return {
        "warnings": result.warnings,
        "breaches": result.breaches,
        "escalations": result.escalations,
    }
