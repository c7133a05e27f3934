from django_tasks import task

from ganzhi.dashboards import reports


@task()
def render_report_task(report_id: int) -> dict:
    """Render a requested monthly report (PDF and .xlsx) and email it if asked."""
    report = reports.render_report(report_id)
    return {"report": str(report.public_id), "status": report.status}
