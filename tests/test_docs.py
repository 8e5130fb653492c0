"""The docs keep up with the code: every MASTHEAD_* variable and masthead command is documented."""

import re
from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = (ROOT / "src/masthead/settings.py").read_text()


def test_every_setting_is_documented():
    declared = set(re.findall(r"\b(MASTHEAD_[A-Z_]+)\b", SETTINGS)) - {"MASTHEAD_PURGE"}
    documented = set(re.findall(r"`(MASTHEAD_[A-Z_]+)`", (ROOT / "docs/settings.md").read_text()))
    assert declared - documented == set(), "add these to docs/settings.md"
    assert documented - declared == set(), "docs/settings.md lists variables the settings no longer read"


def test_every_masthead_command_is_documented():
    ours = {name for name, app in get_commands().items() if app.startswith("masthead")}
    documented = set(re.findall(r"`masthead ([a-z_]+)", (ROOT / "docs/cli.md").read_text()))
    assert ours <= documented, f"add {sorted(ours - documented)} to docs/cli.md"
    assert ours, "Masthead's own commands were not found"


def test_readme_opens_with_the_two_commands():
    head = (ROOT / "README.md").read_text()[:600]
    assert "make run" in head and "make test" in head
