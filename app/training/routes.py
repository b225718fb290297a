"""The training period page and the supervisor's records (issue 5).

Declarations live in app/training/declarations.py, the progress view in
app/training/progress.py.
"""

from __future__ import annotations
