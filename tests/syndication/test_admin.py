import pytest

from masthead.syndication.models import ApiToken
from tests.syndication.factories import make_user

pytestmark = pytest.mark.django_db


def test_newsroom_makes_a_token_and_shows_its_secret_once(client):
    admin = make_user(is_superuser=True, is_staff=True)
    client.force_login(admin)
    owner = make_user(username="wire")
    response = client.post("/newsroom/syndication/apitoken/add/", {"user": owner.pk, "name": "wire desk"}, follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"] if "not shown again" in str(m)]
    raw = shown[0].rsplit(": ", 1)[1]
    token = ApiToken.objects.get()
    assert ApiToken.objects.authenticate(raw) == token and token.user == owner
    client.post("/newsroom/syndication/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert ApiToken.objects.authenticate(raw) is None
