import pytest
from django.core.management import CommandError, call_command

from masthead.syndication.models import ApiToken
from tests.syndication.factories import make_user

pytestmark = pytest.mark.django_db


def test_api_token_prints_a_working_token_once(capsys):
    user = make_user(username="wire")
    call_command("api_token", "wire", "--name", "wire desk")
    raw = capsys.readouterr().out.split(": ", 1)[1].split()[0]
    token = ApiToken.objects.authenticate(raw)
    assert token.user == user and token.name == "wire desk"
    assert raw not in {token.key_hash, token.prefix}  # only a hash is stored


def test_api_token_names_a_missing_account():
    with pytest.raises(CommandError, match="No account 'nobody': make it in the newsroom first"):
        call_command("api_token", "nobody")
