"""schemathesis, an outside checker, finds nothing wrong with the API against its OpenAPI document.

It generates valid and invalid requests from ``/api/openapi.json`` and checks every answer:
no 5xx, the documented status codes, content types, headers and schemas, valid data accepted,
invalid data refused, 405 with ``Allow`` for other methods, a 401 when the token is left out.
The run is bounded by time (``--max-time``) so the suite stays quick; a failure prints its
seed and a ``curl`` line that reproduces it.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from masthead.news import demo
from masthead.syndication.models import ApiToken
from tests import servers

pytestmark = pytest.mark.django_db(transaction=True)

SECONDS_PER_RUN = 30


def _schemathesis(base: str, tmp_path: Path, *headers: str) -> subprocess.CompletedProcess:
    st = Path(sys.executable).with_name("st")
    command = [str(st), "run", f"{base}/api/openapi.json", "--url", base, "--checks", "all",
               "--max-time", str(SECONDS_PER_RUN), "--workers", "1", "--request-timeout", "20"]
    for header in headers:
        command += ["-H", header]
    # An If-Match that is not the story's current ETag, well-formed or not, fails its precondition:
    # 412 (RFC 9110, 13.1.1); a request line or headers too long for the server are refused before
    # the app with 414 or 431. schemathesis expects neither by default.
    (tmp_path / "schemathesis.toml").write_text(
        '[checks.positive_data_acceptance]\n'
        'expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "412", "429", "5xx"]\n'
        '[checks.negative_data_rejection]\n'
        'expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "412", "414", "415", "422", "428", "429",'
        ' "431", "5xx"]\n')
    # Its example database and reports go to the test's own directory.
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=SECONDS_PER_RUN * 4,
                          env={**os.environ, "NO_COLOR": "1"})


@pytest.mark.parametrize("with_token", [False, True], ids=["anonymous", "editor-token"])
def test_schemathesis_finds_nothing(tmp_path, with_token):
    demo.load()
    editor = get_user_model().objects.create_superuser("contract-editor", "editor@example.org", "a-long-password-1")
    token = ApiToken.objects.create_for(editor, name="contract")[1]
    env = {"MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict),
           "MASTHEAD_VAR_DIR": str(tmp_path / "var")}
    with servers.app_server(env) as base:
        result = _schemathesis(base, tmp_path, *([f"Authorization: Bearer {token}"] if with_token else []))
    report = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert "Test cases:" in result.stdout and " 0 generated" not in result.stdout, report
