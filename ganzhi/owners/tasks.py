from django_tasks import task

from ganzhi.owners import services


@task()
def run_import_job(job_id: int) -> None:
    services.import_job_run(job_id=job_id)
