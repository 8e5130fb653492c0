"""The production files in deploy/ name only settings, commands and VCL that exist."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SETTINGS = (ROOT / "src/masthead/settings.py").read_text()


def test_the_example_environment_sets_only_real_settings():
    """Every variable in masthead.env.example is one the settings read."""
    names = re.findall(r"^(MASTHEAD_[A-Z0-9_]+)=", (DEPLOY / "masthead.env.example").read_text(), re.M)
    assert names and all(re.search(rf"\b{name}\b", SETTINGS) for name in names), names


def test_the_units_run_masthead_commands_that_exist():
    """Each `masthead <command>` in a systemd unit is one of Masthead's commands."""
    ours = set(get_commands())
    used = set()
    for unit in (DEPLOY / "systemd").iterdir():
        used.update(re.findall(r"/bin/masthead ([a-z_]+)", unit.read_text()))
    assert used and used <= ours, sorted(used - ours)


def test_the_vcl_compiles_with_the_example_backends():
    """varnishd compiles the shipped VCL (xkey and std vmods included) with the one-host backends file."""
    varnishd = shutil.which("varnishd") or "/usr/sbin/varnishd"
    if not Path(varnishd).exists():
        pytest.skip("varnishd is not installed: apt-get install varnish varnish-modules")
    folder = DEPLOY / "varnish"
    result = subprocess.run([varnishd, "-C", "-p", f"vcl_path={folder}", "-f", str(folder / "masthead.vcl")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
