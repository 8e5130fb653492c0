import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.comments import captcha
from masthead.comments.models import Challenge, Comment
from tests.comments.factories import new_key, post_comment
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db


def test_a_key_is_stored_only_as_an_hmac_and_the_answer_not_at_all(client):
    story = make_article()
    answer = new_key(client, story)
    token = client.cookies[captcha.COOKIE].value
    row = Challenge.objects.get()
    assert row.token_hash == captcha.token_hash(token) and token not in row.token_hash
    assert answer not in str(list(Challenge.objects.values_list()))
    assert row.article_id == story.pk
    assert row.expires_at > timezone.now() + timedelta(minutes=19)


def test_the_key_cookie_is_scoped_to_the_article_and_unreadable_by_scripts(client):
    story = make_article()
    new_key(client, story)
    cookie = client.cookies[captcha.COOKIE]
    assert cookie["path"] == f"/comments/{story.pk}/"
    assert cookie["httponly"] and cookie["samesite"] == "Strict"


def test_a_solved_key_cannot_be_replayed(client):
    """The same cookie and answer a second time is refused: the key was used up."""
    story = make_article()
    answer = new_key(client, story)
    assert post_comment(client, story, key=answer).status_code == 303
    again = post_comment(client, story, key=answer, body="Second try with the same key.")
    assert again.status_code == 400
    assert "expired or was already used" in again.content.decode()
    assert Comment.objects.count() == 1


def test_an_omitted_key_is_refused(client):
    story = make_article()
    new_key(client, story)
    response = post_comment(client, story, key="")
    assert response.status_code == 400
    assert "Type the Security Key" in response.content.decode()
    client.cookies.pop(captcha.COOKIE)
    response = post_comment(client, story, key="ABCDE")
    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_a_guessed_key_is_refused_and_spent(client):
    story = make_article()
    answer = new_key(client, story)
    wrong = "".join("A" if ch != "A" else "C" for ch in answer)
    response = post_comment(client, story, key=wrong)
    assert response.status_code == 400
    assert "does not match the image" in response.content.decode()
    # One guess per image: the right answer now finds the key gone.
    assert "expired or was already used" in post_comment(client, story, key=answer).content.decode()
    assert Comment.objects.count() == 0


def test_an_expired_key_is_refused(client):
    story = make_article()
    answer = new_key(client, story)
    Challenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = post_comment(client, story, key=answer)
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert Comment.objects.count() == 0


def test_a_key_from_another_articles_form_is_refused(client):
    one, other = make_article(), make_article()
    answer = new_key(client, one)
    token = client.cookies[captcha.COOKIE].value
    client.cookies[captcha.COOKIE] = token  # carried by hand to the other article's form
    response = post_comment(client, other, key=answer)
    assert response.status_code == 400
    assert "belongs to another article" in response.content.decode()
    assert Comment.objects.count() == 0


def test_answers_ignore_case_and_spaces(client):
    story = make_article()
    answer = new_key(client, story)
    assert post_comment(client, story, key=" ".join(answer.lower())).status_code == 303


def test_brute_force_is_throttled_per_address(client, settings):
    """After the allowed wrong keys even the right one waits, and says how long."""
    settings.CAPTCHA_FAILURES_PER_IP = "3/600"
    story = make_article()
    for _ in range(3):
        new_key(client, story)
        assert "does not match" in post_comment(client, story, key="WRONG").content.decode()
    response = post_comment(client, story)
    assert response.status_code == 429
    assert "Too many wrong Security Keys" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    other_reader = post_comment(client.__class__(REMOTE_ADDR="198.51.100.7"), story)
    assert other_reader.status_code == 303
    assert Comment.objects.count() == 1


def test_new_keys_per_address_are_limited(client, settings):
    settings.CAPTCHA_KEYS_PER_IP = "2/600"
    story = make_article()
    assert client.get(f"/comments/{story.pk}/key/").status_code == 200
    assert client.get(f"/comments/{story.pk}/key/").status_code == 200
    response = client.get(f"/comments/{story.pk}/key/")
    assert response.status_code == 429
    assert "Too many new Security Keys" in response.content.decode()
    assert Challenge.objects.count() == 2


def test_image_and_audio_are_served_for_the_current_key_only(client):
    story = make_article()
    new_key(client, story)
    image = client.get(f"/comments/{story.pk}/key.png")
    audio = client.get(f"/comments/{story.pk}/key.wav")
    assert image["Content-Type"] == "image/png" and image.content.startswith(b"\x89PNG")
    assert audio["Content-Type"] == "audio/wav" and audio.content.startswith(b"RIFF")
    assert "no-store" in image["Cache-Control"] and "no-store" in audio["Cache-Control"]
    Challenge.objects.all().delete()
    assert client.get(f"/comments/{story.pk}/key.png").status_code == 404


def test_refresh_issues_a_different_key(client):
    story = make_article()
    new_key(client, story)
    first = client.cookies[captcha.COOKIE].value
    new_key(client, story)
    assert client.cookies[captcha.COOKIE].value != first


def test_the_frame_may_be_framed_by_our_own_pages_only(client):
    story = make_article()
    assert client.get(f"/comments/{story.pk}/key/")["X-Frame-Options"] == "SAMEORIGIN"


def test_the_answer_hook_is_off_unless_the_test_setting_enables_it(client, settings):
    story = make_article()
    answer = new_key(client, story)
    assert client.get(f"/comments/{story.pk}/key/answer").status_code == 404
    settings.CAPTCHA_TEST_HOOK = True
    assert client.get(f"/comments/{story.pk}/key/answer").content.decode() == answer
    settings.PRODUCTION = True
    assert client.get(f"/comments/{story.pk}/key/answer").status_code == 404


def test_production_settings_refuse_the_answer_hook():
    env = {**os.environ, "MASTHEAD_PRODUCTION": "1", "MASTHEAD_CAPTCHA_TEST_HOOK": "1",
           "MASTHEAD_SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "masthead.settings"}
    result = subprocess.run([sys.executable, "-c", "import masthead.settings"], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "MASTHEAD_CAPTCHA_TEST_HOOK gives away every Security Key" in result.stderr


def test_expired_keys_are_swept():
    story = make_article()
    captcha.issue(article_id=story.pk)
    Challenge.objects.create(token_hash="x" * 64, article=story, expires_at=timezone.now() - timedelta(seconds=1))
    assert captcha.sweep() == 1
    assert Challenge.objects.count() == 1


def test_drawing_images_and_audio_is_limited_per_address(client, settings):
    settings.CAPTCHA_KEYS_PER_IP = "1/600"
    story = make_article()
    new_key(client, story)
    assert [client.get(f"/comments/{story.pk}/key.png").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(f"/comments/{story.pk}/key.wav")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0


@pytest.mark.django_db(transaction=True)
def test_a_key_is_single_use_even_when_two_posts_race():
    """Two requests with the same solved key at the same moment: exactly one is accepted."""
    import threading

    from django.db import connection

    story = make_article()
    token = captcha.issue(article_id=story.pk)
    start, verdicts = threading.Barrier(2), []

    def post():
        try:
            start.wait()
            verdicts.append(captcha.consume(token, captcha.answer_for(token), article_id=story.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(v.value for v in verdicts) == ["expired", "ok"]


def test_no_keys_are_issued_for_an_article_whose_comments_are_closed(client):
    from tests.comments.factories import set_mode

    story = make_article()
    set_mode(story, "closed")
    response = client.get(f"/comments/{story.pk}/key/")
    assert response.status_code == 403 and "closed" in response.content.decode()
    assert not Challenge.objects.exists() and captcha.COOKIE not in response.cookies


def test_the_alphabet_has_no_look_alikes():
    """No pair a tilted, noisy character could be read as the other: 0/O/D/Q, 1/I/L/7/T, 2/Z, 5/S, 8/B, 6/G, U/V, C/G."""
    for group in ("0ODQ", "1IL7T", "2Z", "5S", "8B", "6G", "UV", "CG"):
        assert sum(character in captcha.ALPHABET for character in group) <= 1, group
    assert len(set(captcha.ALPHABET)) == len(captcha.ALPHABET) >= 16


def test_two_hundred_keys_keep_every_character_inside_the_image():
    """Every character's box lies inside the image with a clear band to its edges; no ink lies outside the boxes."""
    import secrets

    for n in range(200):
        answer = captcha.answer_for(secrets.token_urlsafe(16))
        ink = (*(10 + secrets.randbelow(81) for _ in range(3)), 255)
        image, boxes = captcha.draw_key(answer, ink=ink, background=(250, 250, 250), noise=False)
        assert image.size == (captcha.WIDTH, captcha.HEIGHT) and len(boxes) == len(answer) == captcha.LENGTH
        for left, top, right, bottom in boxes:
            assert left >= captcha.MARGIN and top >= captcha.MARGIN, (n, answer, boxes)
            assert right <= captcha.WIDTH - captcha.MARGIN and bottom <= captcha.HEIGHT - captcha.MARGIN, (n, answer, boxes)
        for (_, _, right, _), (left, _, _, _) in zip(boxes, boxes[1:]):
            assert right <= left + 2, f"key {n} ({answer}): characters run into each other: {boxes}"
        # The drawn pixels themselves: every mark darker than the ground lies in some character's box.
        grey = image.convert("L")
        width, height = grey.size
        pixels = grey.load()
        stray = [(x, y) for y in range(height) for x in range(width) if pixels[x, y] < 240
                 and not any(l <= x < r and t <= y < b for l, t, r, b in boxes)]
        assert stray == [], f"key {n} ({answer}): ink outside every box at {stray[:5]}"
