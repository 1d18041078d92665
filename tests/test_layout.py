"""The floor plan stays as built: the import layers hold, and no module grows past ~500 lines.

The layers (pyproject.toml, [tool.importlinter]): config and demo, then the pages and the
API, then the apps, then notifications, then the core graph, then accounts. Each may
import only those below it; no app imports the pages; the core imports no app above it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LINES_MAX = 500
SKIPPED = {".venv", "node_modules", "migrations", "tests", "var", ".git"}


def project_modules() -> list[Path]:
    return [
        path
        for path in REPO.rglob("*.py")
        if not SKIPPED.intersection(path.relative_to(REPO).parts)
    ]


def test_no_module_is_over_500_lines() -> None:
    long = {
        str(path.relative_to(REPO)): count
        for path in project_modules()
        if (count := len(path.read_text().splitlines())) > LINES_MAX
    }
    assert long == {}, f"split these along a seam: {long}"


def test_the_import_layers_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-6000:]
    assert " 0 broken" in result.stdout.split("Contracts:")[-1]
