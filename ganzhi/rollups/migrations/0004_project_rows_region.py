"""Project rows carry their project's region (a region's projects are read by the region
index): fill it in on the rows written before."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

ROLLUPS = ("SurveyRollup", "SurveyItemRollup", "WorkOrderRollup", "CallbackRollup")


def fill_regions(apps, schema_editor):
    Project = apps.get_model("org", "Project")
    region = Project.objects.filter(pk=OuterRef("project_id")).values("region_id")[:1]
    for name in ROLLUPS:
        apps.get_model("rollups", name).objects.filter(scope="project").update(
            region_id=Subquery(region)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("rollups", "0003_response_scores"),
    ]

    operations = [migrations.RunPython(fill_regions, migrations.RunPython.noop)]
