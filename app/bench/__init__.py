"""The regional benchmark: `flask regional-data` builds a region's worth of fictional data and
`flask bench` measures the pages people use most (see `make bench` and the README)."""

from __future__ import annotations

import click


@click.command("regional-data")
@click.option("--students", type=click.IntRange(1, 200_000), default=50_000, show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing if there are students already.")
def regional_data_command(students: int, if_empty: bool) -> None:
    """Load 4 schools, 22 municipalities and STUDENTS students (about 40 case-file lines
    each) into an empty database, for the benchmark; beyond 50,000 students, further regions
    of the same shape with their own schools, municipalities and staff."""
    import sys
    import time

    from app import demo_data
    from app.bench.generate import generate

    if demo_data.has_data():
        if if_empty:
            click.echo("The database has data already; the regional data is not loaded.")
            return
        raise click.ClickException("The database is not empty: use a new database.")
    started = time.perf_counter()
    if sys.stdout.isatty():
        with click.progressbar(length=students, label="Students", show_pos=True) as bar:
            done = [0]

            def progress(n: int) -> None:
                bar.update(n - done[0])
                done[0] = n

            result = generate(students=students, progress=progress)
    else:  # a log (make bench in CI): a line per step instead of a bar

        def progress(n: int) -> None:
            seconds = time.perf_counter() - started
            click.echo(f"Students: {n}/{students} ({100 * n // students}%), {seconds:.0f} s")

        result = generate(students=students, progress=progress)
    click.echo(
        f"Loaded {result['students']} students, {result['rows']} rows, "
        f"{result['case_file_lines']} case-file lines in {time.perf_counter() - started:.0f} s."
    )


@click.command("bench")
@click.option("--requests", "count", type=click.IntRange(10, 10_000), default=200)
@click.option("--label", default="", help="Name of the database in the table.")
@click.option("--save", type=click.Path(dir_okay=False), help="Also write the figures as JSON.")
def bench_command(count: int, label: str, save: str | None) -> None:
    """Time the main pages in-process (median and p95 of COUNT requests each) and the floor
    page, and print each page's p95 as a multiple of the floor's."""
    from app.bench.run import run_in_process

    run_in_process(count, label, save)


@click.command("bench-load")
@click.option("--seconds", type=click.IntRange(1, 300), default=20, show_default=True)
# Two connections per worker keep both busy; more only queue (same requests/s, longer p95).
@click.option("--connections", type=click.IntRange(1, 64), default=4, show_default=True)
@click.option("--port", type=int, default=5055, show_default=True)
@click.option("--label", default="", help="Name of the database in the table.")
def bench_load_command(seconds: int, connections: int, port: int, label: str) -> None:
    """Load-test the floor page and the student page under gunicorn (2 workers) with wrk for
    SECONDS each, rotating over 200 students."""
    from app.bench.run import run_load

    run_load(seconds, connections, port, label)


@click.command("bench-profile")
@click.option("--requests", "count", type=click.IntRange(10, 10_000), default=50, show_default=True)
@click.option("--page", "only", default="", help="Only the pages whose name holds this.")
@click.option(
    "--top", type=click.IntRange(0, 100), default=0, help="Also the N costliest functions."
)
def bench_profile_command(count: int, only: str, top: int) -> None:
    """Where each page's time goes: its median, statements and size, and the median split by
    a profile into the database driver, SQLAlchemy, Jinja, Babel, the web libraries, the
    app's own code and the rest, beside the floor's."""
    from app.bench.profile import run

    run(count, only, top)


@click.command("bench-compare")
@click.argument("smaller", type=click.Path(exists=True, dir_okay=False))
@click.argument("larger", type=click.Path(exists=True, dir_okay=False))
def bench_compare_command(smaller: str, larger: str) -> None:
    """Compare two runs saved with `flask bench --save` (e.g. 50,000 and 150,000 students):
    each page's p95 at the larger size as a multiple of its p95 at the smaller."""
    from app.bench.run import compare

    if not compare(smaller, larger):
        raise click.ClickException("a page's p95 grew more than the budget allows")


from app.bench.imports import bench_import_command  # noqa: E402

# Registered by app.cli with the other commands.
COMMANDS = (
    regional_data_command,
    bench_command,
    bench_load_command,
    bench_profile_command,
    bench_compare_command,
    bench_import_command,
)
