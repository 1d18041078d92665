"""pip-audit over the locked requirements, for `make security`.

Fails on any known vulnerability. Where the advisory database (PyPI's JSON API) cannot be
reached, so that no package could be checked, it says so plainly and passes: a machine
without the internet cannot know, and an audit that checked nothing must not read as
"no known vulnerabilities".

    python .ci/dependency_audit.py requirements/base.txt
"""

from __future__ import annotations

import json
import subprocess  # nosec B404  # runs pip-audit, never a shell
import sys
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 300


def audit(requirements: str) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        report_path = Path(scratch) / "report.json"
        command = [
            str(Path(sys.executable).with_name("pip-audit")),
            "--requirement",
            requirements,
            "--require-hashes",
            "--disable-pip",  # the lock file is complete and hashed: nothing to resolve
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "--output",
            str(report_path),
        ]
        try:
            finished = subprocess.run(  # noqa: S603 # nosec B603  # our own command line
                command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired:
            print(f"pip-audit: SKIPPED, the advisory database did not answer in {TIMEOUT_SECONDS}s")
            return 0
        try:
            report = json.loads(report_path.read_text())
        except (OSError, ValueError):
            print(finished.stdout + finished.stderr, file=sys.stderr)
            if "Connection" in finished.stderr or "HTTPError" in finished.stderr:
                print("pip-audit: SKIPPED, the advisory database (pypi.org) is not reachable")
                return 0
            print("pip-audit: failed to run", file=sys.stderr)
            return 1
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    checked = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        for vulnerability in dependency["vulns"]:
            fixed = ", ".join(vulnerability.get("fix_versions") or []) or "no fix yet"
            print(
                f"pip-audit: {dependency['name']} {dependency['version']}: "
                f"{vulnerability['id']} (fixed in {fixed})",
                file=sys.stderr,
            )
    if vulnerable:
        print(f"pip-audit: FAILED, {len(vulnerable)} locked packages have known vulnerabilities")
        return 1
    if dependencies and not checked:
        print(
            f"pip-audit: SKIPPED, the advisory database (PyPI's JSON API) is not reachable from "
            f"here: none of the {len(dependencies)} locked packages could be checked"
        )
        return 0
    if skipped:
        names = ", ".join(d["name"] for d in skipped)
        print(f"pip-audit: {len(skipped)} packages could not be checked: {names}")
    print(f"pip-audit: {checked} locked packages checked, no known vulnerabilities")
    return 0


if __name__ == "__main__":
    sys.exit(audit(sys.argv[1] if len(sys.argv) > 1 else "requirements/base.txt"))
