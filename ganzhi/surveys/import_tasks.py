"""The background task that runs survey-tool imports (django-tasks database worker)."""

from django_tasks import task

from ganzhi.surveys import imports


@task()
def run_response_import(job_id: int) -> None:
    imports.response_import_run(job_id=job_id)
