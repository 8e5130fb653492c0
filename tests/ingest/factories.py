"""Running ``masthead import`` from tests, and small inputs for it."""

import io
import json
from dataclasses import dataclass
from pathlib import Path

from django.core.management import CommandError, call_command

SAMPLES = Path(__file__).resolve().parent / "samples"
FIXTURE = Path(__file__).resolve().parents[2] / "src" / "masthead" / "news" / "demo" / "iran-daily-302104.txt"


@dataclass
class Ran:
    stdout: str
    stderr: str
    returncode: int


def run_import(*paths, stdin=None, **options) -> Ran:
    """``masthead import PATHS`` in this process; never raises for a failed item, returns the exit status."""
    out, err = io.StringIO(), io.StringIO()
    options.setdefault("no_progress", True)
    if stdin is not None:
        import sys

        real, sys.stdin = sys.stdin, io.TextIOWrapper(io.BytesIO(stdin))
    try:
        call_command("import", *[str(p) for p in paths], stdout=out, stderr=err, **options)
        code = 0
    except CommandError as error:
        err.write(str(error))
        code = error.returncode
    finally:
        if stdin is not None:
            sys.stdin = real
    return Ran(out.getvalue(), err.getvalue(), code)


def ninjs_story(n: int, **overrides) -> dict:
    """A small wire story in ninjs."""
    return {
        "uri": f"urn:newsml:test.example:{n}", "type": "text", "headline": f"Wire story {n}",
        "body_html": f"<p>First paragraph of wire story {n}.</p><p>Second paragraph.</p>",
        "versioncreated": "2021-04-13T07:00:00Z", "pubstatus": "usable",
        "subject": [{"name": "World", "scheme": "masthead:section"}, {"name": "Iraq"}, {"name": "Oil"}, {"name": "Trade"}],
        "byline": "Omar Hassan", **overrides,
    }


def write_jsonl(path: Path, stories) -> Path:
    path.write_text("".join(json.dumps(story) + "\n" for story in stories), encoding="utf-8")
    return path

