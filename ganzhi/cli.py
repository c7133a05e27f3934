"""``ganzhi``: the command line for operators and analysts.

Thin by design: each command parses its arguments, calls a service and prints.
``ganzhi stats`` runs without Django (pure statistics on CSV files).
"""

import argparse
import os
import sys

EXIT_USAGE = 2


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["stats"]:
        from ganzhi.stats.cli import main as stats_main

        return stats_main(argv[1:])
    if argv[:1] == ["manage"]:
        _setup_django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["ganzhi manage", *argv[1:]])
        return 0

    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    _setup_django()
    return args.handler(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ganzhi",
        description="Ganzhi (感知) — owner experience management for property companies.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser(
        "run", help="migrate, load the demo on first start (demo mode), serve web + worker"
    )
    run.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    run.add_argument("--host", default=os.environ.get("GANZHI_HOST", "127.0.0.1"))
    run.add_argument("--web-workers", type=int, default=2)
    run.add_argument(
        "--demo-households",
        type=int,
        default=3000,
        help="size of the demo company loaded on first start (demo mode only)",
    )
    run.set_defaults(handler=_run)

    demo = commands.add_parser("demo", help="generate the demo company")
    demo.add_argument("--households", type=int, required=True)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument(
        "--no-workorders",
        dest="workorders",
        action="store_false",
        help="registry only, without the two years of work orders and survey answers",
    )
    demo.set_defaults(handler=_demo)

    imports = commands.add_parser("import", help="import registry data from CSV or .xlsx")
    kinds = imports.add_subparsers(title="what", metavar="WHAT")
    households = kinds.add_parser("households", help="units, owners and households of a project")
    households.add_argument("file")
    households.add_argument("--project", required=True, help="project code")
    households.add_argument("--company", help="company code (when several companies exist)")
    households.set_defaults(handler=_import_households)
    responses = kinds.add_parser(
        "responses", help="survey answers exported from 问卷星 (wjx) or 腾讯问卷 (tencent)"
    )
    responses.add_argument("file")
    responses.add_argument("--survey", required=True, help="questionnaire id (UUID)")
    responses.add_argument("--tool", choices=["wjx", "tencent"], help="default: from the header")
    responses.add_argument("--project", help="project code (default: a project column)")
    responses.set_defaults(handler=_import_responses)

    rollups = commands.add_parser("rollups", help="the dashboards' summary tables")
    rollup_actions = rollups.add_subparsers(title="action", metavar="ACTION")
    rebuild = rollup_actions.add_parser("rebuild", help="recompute every rollup from the raw data")
    rebuild.set_defaults(handler=_rollups_rebuild)
    refresh = rollup_actions.add_parser("refresh", help="recompute the project-months changed")
    refresh.set_defaults(handler=_rollups_refresh)

    commands.add_parser("stats", help="statistics on CSV files (ganzhi stats --help)")
    commands.add_parser("manage", help="Django management commands (ganzhi manage help)")
    return parser


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ganzhi.settings")
    import django

    django.setup()


def _fail(message: str) -> int:
    print(f"ganzhi: {message}", file=sys.stderr)
    return EXIT_USAGE


def _demo(args) -> int:
    from ganzhi.core.errors import DomainError
    from ganzhi.demo.generator import generate_demo
    from ganzhi.rollups.services import rebuild as rebuild_rollups

    if args.households < 1:
        return _fail("--households must be at least 1")

    def progress(stage: str, done: int, total: int) -> None:
        print(f"\r{stage}: {done}/{total}", end="\n" if done >= total else "", flush=True)

    try:
        summary = generate_demo(
            households=args.households,
            seed=args.seed,
            progress=progress,
            workorders=args.workorders,
        )
    except DomainError as exc:
        print()
        return _fail(str(exc.message))
    rebuild_rollups()
    print()
    for name, value in vars(summary).items():
        print(f"{name:>12}: {value}")
    return 0


def _rollups_rebuild(args) -> int:
    from ganzhi.rollups.services import rebuild

    def progress(kind: str, done: int, total: int) -> None:
        print(f"\r{kind}: {done}/{total} months", end="\n" if done >= total else "", flush=True)

    result = rebuild(progress=progress)
    print(f"rebuilt {sum(result.slices.values())} company-months in {result.seconds:.1f} s")
    return 0


def _rollups_refresh(args) -> int:
    from ganzhi.rollups.services import refresh

    result = refresh()
    print(f"refreshed {sum(result.slices.values())} project-months in {result.seconds:.1f} s")
    return 0


def _import_households(args) -> int:
    from django.utils.translation import gettext as _

    from ganzhi.core.errors import DomainError
    from ganzhi.core.spreadsheets import read_sheet
    from ganzhi.org.models import Project
    from ganzhi.owners.importing import import_households

    projects = Project.objects.filter(code=args.project)
    if args.company:
        projects = projects.filter(company__code=args.company)
    matches = list(projects.select_related("company")[:2])
    if not matches:
        return _fail(f"no project with code {args.project!r}")
    if len(matches) > 1:
        return _fail(f"project code {args.project!r} exists in several companies: add --company")
    if not os.path.isfile(args.file):
        return _fail(f"no such file: {args.file}")
    try:
        result = import_households(project=matches[0], sheet=read_sheet(args.file))
    except DomainError as exc:
        print(f"ganzhi: {exc.message}", file=sys.stderr)
        for error in exc.details or []:
            print(
                f"  {_('row')} {error['row']}\t{error['column']}\t{error['message']}",
                file=sys.stderr,
            )
        return EXIT_USAGE
    print(f"{result.rows} rows; created {result.created}; updated {result.updated}")
    return 0


def _import_responses(args) -> int:
    import uuid

    from django.utils.translation import gettext as _

    from ganzhi.core.errors import DomainError
    from ganzhi.core.spreadsheets import read_sheet
    from ganzhi.org.models import Project
    from ganzhi.surveys.imports import import_responses
    from ganzhi.surveys.models import Questionnaire

    try:
        questionnaire = Questionnaire.objects.get(public_id=uuid.UUID(args.survey))
    except (ValueError, Questionnaire.DoesNotExist):
        return _fail(f"no questionnaire with id {args.survey!r}")
    project = None
    if args.project:
        project = Project.objects.filter(
            company_id=questionnaire.company_id, code=args.project
        ).first()
        if project is None:
            return _fail(f"no project with code {args.project!r} in the questionnaire's company")
    if not os.path.isfile(args.file):
        return _fail(f"no such file: {args.file}")
    try:
        result = import_responses(
            questionnaire=questionnaire,
            sheet=read_sheet(args.file),
            tool=args.tool,
            project=project,
        )
    except DomainError as exc:
        print(f"ganzhi: {exc.message}", file=sys.stderr)
        for error in exc.details if isinstance(exc.details, list) else []:
            print(
                f"  {_('row')} {error['row']}\t{error['column']}\t{error['message']}",
                file=sys.stderr,
            )
        return EXIT_USAGE
    print(", ".join(f"{key} {value}" for key, value in result.as_dict().items()))
    return 0


def _run(args) -> int:
    from ganzhi.core.launcher import launch

    return launch(
        host=args.host,
        port=args.port,
        web_workers=args.web_workers,
        demo_households=args.demo_households,
    )


if __name__ == "__main__":
    sys.exit(main())
