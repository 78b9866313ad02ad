"""Scores posted on the scoring and moderation pages are read within bounds: a signalling NaN, Infinity or
1e999999999 is "choose a score from the scale", never a 500, and nothing is recorded."""

import pytest

from pegasus.evaluation.models import Score
from tests.evaluation.test_pages import as_user

pytestmark = pytest.mark.django_db

HOSTILE = ["sNaN", "NaN", "Infinity", "-Infinity", "1e999999999", "1e-999999999", "9" * 5000, "", "fifty"]


@pytest.mark.parametrize("score", HOSTILE, ids=lambda s: s[:12] or "empty")
def test_a_hostile_score_on_the_scoring_page_is_a_clear_error(client, declared, score):
    t = declared
    page = as_user(client, t.ev2).post(
        f"/tenders/lots/{t.lot.pk}/scoring/",
        {"bid": t.alpha.pk, "criterion": t.tech.pk, "score": score, "rationale": "x"},
    )
    assert page.status_code == 200
    assert "Choose a score from the scale" in page.content.decode()
    assert not Score.objects.exists()
