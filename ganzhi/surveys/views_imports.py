"""Importing answers from 问卷星 / 腾讯问卷: upload, confirm the column mapping, follow the
background job to its result (with the row errors when the file is refused)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ganzhi.core.errors import DomainError
from ganzhi.core.forms import Form
from ganzhi.core.paging import paginate
from ganzhi.core.scoping import get_visible_or_404, visible
from ganzhi.org.models import Project
from ganzhi.surveys import imports
from ganzhi.surveys.models import ImportMapping, Questionnaire, ResponseImport

add_required = permission_required("surveys.add_responseimport", raise_exception=True)
view_required = permission_required("surveys.view_responseimport", raise_exception=True)

RESULT_LABELS = {
    "rows": gettext_lazy("rows in the file"),
    "created": gettext_lazy("answers imported"),
    "unchanged": gettext_lazy("already imported before (skipped)"),
    "answers": gettext_lazy("question answers"),
    "linked": gettext_lazy("linked to a household"),
    "flagged": gettext_lazy("flagged by the quality checks"),
    "callbacks": gettext_lazy("call-back tasks created"),
}
SAMPLE_ROWS = 3


class UploadForm(Form):
    questionnaire = forms.ModelChoiceField(
        label=gettext_lazy("Questionnaire"),
        queryset=Questionnaire.objects.none(),
        to_field_name="public_id",
    )
    tool = forms.ChoiceField(
        label=gettext_lazy("Survey tool"),
        choices=ImportMapping.Tool.choices,
        initial=ImportMapping.Tool.WJX,
    )
    project = forms.ModelChoiceField(
        label=gettext_lazy("Project"),
        queryset=Project.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=gettext_lazy("From a column of the file"),
    )
    file = forms.FileField(
        label=gettext_lazy("Export file (.csv or .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].queryset = visible(
            Questionnaire.objects.exclude(status=Questionnaire.Status.DRAFT), user
        )
        self.fields["project"].queryset = visible(Project.objects.all(), user)


@login_required
@add_required
def start(request):
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = imports.response_import_create(
                actor=request.user,
                questionnaire=data["questionnaire"],
                tool=data["tool"],
                project=data["project"],
                upload=data["file"],
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("surveys:import_mapping", public_id=job.public_id)
    page = paginate(request, imports.imports_visible(user=request.user), per_page=10)
    return render(request, "surveys/import_start.html", {"form": form, "page_obj": page})


def _job(request, public_id) -> ResponseImport:
    return get_visible_or_404(
        imports.imports_visible(user=request.user), request.user, public_id=public_id
    )


def _awaiting_mapping(job: ResponseImport) -> bool:
    return job.status == ResponseImport.Status.PENDING and job.summary.get("stage") == "mapping"


@login_required
@add_required
def mapping(request, public_id):
    job = _job(request, public_id)
    if not _awaiting_mapping(job):
        return redirect("surveys:import_detail", public_id=job.public_id)
    try:
        sheet = imports.response_import_sheet(job)
    except DomainError as exc:
        imports.response_import_failed(job.pk, exc)
        return redirect("surveys:import_detail", public_id=job.public_id)
    header = sheet.header
    targets = imports.mapping_targets(job.questionnaire)
    detected = imports.detect_tool(header)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        chosen = {column: request.POST.get(f"col-{i}", "") for i, column in enumerate(header)}
        try:
            imports.response_import_start(actor=request.user, job=job, columns=chosen)
        except DomainError as exc:
            messages.error(request, exc.message)
            errors = exc.details if isinstance(exc.details, dict) else {}
        else:
            messages.success(request, _("The import runs in the background."))
            return redirect("surveys:import_detail", public_id=job.public_id)
    else:
        chosen = imports.mapping_for(job.questionnaire, job.tool, header)
    scores = {s.column: s.score for s in imports.suggest_mapping(job.questionnaire, header)}
    samples = [row for _number, row in sheet.numbered_rows()][:SAMPLE_ROWS]
    columns = [
        {
            "index": i,
            "header": column,
            "target": chosen.get(column, ""),
            "score": scores.get(column, 0),
            "samples": [
                "" if i >= len(row) or row[i] is None else str(row[i])[:40] for row in samples
            ],
            "errors": errors.get(column, []),
        }
        for i, column in enumerate(header)
    ]
    return render(
        request,
        "surveys/import_mapping.html",
        {
            "job": job,
            "columns": columns,
            "targets": targets,
            "general_errors": errors.get("", []),
            "rows": sum(1 for _row in sheet.numbered_rows()),
            "tool_mismatch": detected is not None and detected != job.tool,
            "detected_tool": ImportMapping.Tool(detected).label if detected else "",
        },
    )


@login_required
@view_required
def detail(request, public_id):
    job = _job(request, public_id)
    template = "surveys/import_detail.html"
    if request.htmx:
        template += "#status"
    finished = job.status in (ResponseImport.Status.SUCCEEDED, ResponseImport.Status.FAILED)
    results = []
    if job.status == ResponseImport.Status.SUCCEEDED:
        results = [(RESULT_LABELS[k], job.summary.get(k, 0)) for k in RESULT_LABELS]
    return render(
        request,
        template,
        {
            "job": job,
            "finished": finished,
            "awaiting_mapping": _awaiting_mapping(job),
            "results": results,
            "can_add": request.user.has_perm("surveys.add_responseimport"),
        },
    )
