"""The benchmark's floor: the least a page showing one student's case file can cost.

A bare Flask app over the same database as the benchmarked app: one route that loads one
student and their newest 200 case-file lines with plain SQLAlchemy and renders them in a Jinja
table. No login, no session, no access rules, no access log, no translations, no base layout.
`flask bench` times it in-process and `flask bench-load` serves it under gunicorn beside the
real app, so every page's figures can be given as a multiple of it, measured in the same run
on the same machine (absolute milliseconds move between machines; the ratios do not).

Served by gunicorn as `app.bench.floor:create()`, reading DATABASE_URL.
"""

from __future__ import annotations

import os

from flask import Flask, abort
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from app.models import CaseEvent, Student

LINES = 200

PAGE = """<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>{{ student.first_name }}</title></head>
<body><h1>{{ student.first_name }} {{ student.last_name }} ({{ student.student_number }})</h1>
<table><thead><tr><th>Tidspunkt</th><th>Hændelse</th><th>Detaljer</th></tr></thead><tbody>
{% for line in lines %}<tr><td>{{ line.at.strftime("%d.%m.%Y %H:%M") }}</td>
<td>{{ line.kind.value }}</td><td>{{ line.details }}</td></tr>
{% endfor %}</tbody></table></body></html>"""


def create(database_url: str | None = None, engine: Engine | None = None) -> Flask:
    engine = engine or create_engine(database_url or os.environ["DATABASE_URL"])
    app = Flask("elevsag_floor")
    # Compiled once, as Flask caches a template file: `render_template_string` would compile
    # it again on every request, and that compile was half of the floor's time.
    page = app.jinja_env.from_string(PAGE)

    @app.get("/floor/<int:student_id>")
    def case_lines(student_id: int):
        with Session(engine) as session:
            student = session.get(Student, student_id)
            if student is None:
                abort(404)
            lines = session.scalars(
                select(CaseEvent)
                .where(CaseEvent.student_id == student_id)
                .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
                .limit(LINES)
            ).all()
            return page.render(student=student, lines=lines)

    return app
