"""Mark the rollup slices of saved and deleted work orders, responses and call-backs, and
every month of a project that moved to another region (its region rows are re-summed).

Writes that bypass ``save()`` (bulk inserts and updates, the demo generator) call
``ganzhi.rollups.services.mark_*`` themselves.
"""

from django.db.models.signals import post_delete, post_save, pre_save

from ganzhi.rollups import services


def _workorder_changed(sender, instance, **kwargs) -> None:
    services.mark_dirty(services.Kind.WORKORDERS, [(instance.project_id, instance.created_at)])


def _response_changed(sender, instance, **kwargs) -> None:
    if instance.submitted_at is not None:
        services.mark_dirty(services.Kind.SURVEYS, [(instance.project_id, instance.submitted_at)])


def _callback_changed(sender, instance, **kwargs) -> None:
    services.mark_dirty(services.Kind.CALLBACKS, [(instance.project_id, instance.created_at)])


def _project_moving(sender, instance, **kwargs) -> None:
    if instance.pk is None:
        return
    before = sender.objects.filter(pk=instance.pk).values_list("region_id", flat=True).first()
    if before != instance.region_id:
        services.mark_project(instance.pk)


def connect() -> None:
    from ganzhi.org.models import Project
    from ganzhi.surveys.models import CallbackTask, Response
    from ganzhi.workorders.models import WorkOrder

    pre_save.connect(_project_moving, sender=Project, dispatch_uid="rollups-project-region")

    for model, handler in (
        (WorkOrder, _workorder_changed),
        (Response, _response_changed),
        (CallbackTask, _callback_changed),
    ):
        post_save.connect(handler, sender=model, dispatch_uid=f"rollups-{model._meta.label}")
        post_delete.connect(handler, sender=model, dispatch_uid=f"rollups-del-{model._meta.label}")
