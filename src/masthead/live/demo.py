"""The demo paper's live story: a parliament budget vote covered as it happens, with a dozen updates.

Loaded by ``masthead demo`` after the demo stories, through the story service: the story is
published three hours before the load, its coverage starts then and is still running, its updates
are dated a quarter of an hour apart (two key events, one pinned), and the home page's breaking
banner points at it for a day. Idempotent: once News ID ``NEWS_ID`` exists, it is kept as it is
(with whatever an editor did to it since), and nothing is added.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from masthead.news.models import Article, Author, Section
from masthead.stories import changes, live, rules

NEWS_ID = 302120
LOADER = rules.System("demo loader")
# The name readers see on each update.
DESK = rules.System("Iran Daily live desk")
BANNER_HOURS = 24

STORY = {
    "headline": "Parliament votes on the budget bill",
    "kicker": "Live",
    "summary": "Lawmakers debate and vote on next year's budget, line by line, in an open session in Tehran.",
    "body": ("The Majlis opened its session on the budget bill on Wednesday morning with the government's "
             "spending plan for the coming year before it.\n\n"
             "Follow the debate and each vote below as it happens; the newest update is at the top."),
    "section": "politics",
    "authors": ["sara-karimi"],
}

# Oldest first, as they were posted: (headline, Markdown body, key event, pinned).
UPDATES = [
    ("Session opens", "The speaker opened the session at 0900 local time with 268 of 290 members present.", False, False),
    ("", "The head of the budget committee presented the bill: spending rises by a fifth, most of it on wages "
         "and pensions.", False, False),
    ("", "Several members asked for more time to read the committee's changes, filed late on Tuesday. "
         "The speaker refused.", False, False),
    ("Housing line debated", "Debate began on the housing fund. Members from Tehran asked for a larger share "
                             "for rental support.", False, False),
    ("", "The economy minister told the chamber the bill assumes oil sales close to this year's.", False, False),
    ("Housing fund approved", "**Approved**: the housing fund line passed by 181 votes to 64, with 12 abstentions.",
     True, False),
    ("", "A short recess was called; the session resumes at 1300.", False, False),
    ("How the vote works", "Each of the bill's lines is voted separately; the whole bill goes to the Guardian Council "
                           "once the last line passes. [Read the bill's summary](/news/302104/) for the background.",
     False, True),
    ("", "The session resumed. Next up: the line on fuel subsidies, the most contested of the day.", False, False),
    ("", "Three members spoke against the fuel line, warning of price rises in the provinces.", False, False),
    ("Fuel subsidy line rejected", "**Rejected**: the fuel subsidy line fell by 97 votes to 152. It goes back to the "
                                   "budget committee.", True, False),
    ("", "The committee will report back on Sunday. Debate moves on to the health budget.", False, False),
]


@transaction.atomic
def load() -> int:
    """Load the live story if it is not there yet; return how many stories were created (0 or 1)."""
    if Article.objects.filter(pk=NEWS_ID).exists():
        return 0
    now = timezone.now()
    started = now - timedelta(hours=3)
    article = Article(id=NEWS_ID, section=Section.objects.get(slug=STORY["section"]), kicker=STORY["kicker"],
                      headline=STORY["headline"], summary=STORY["summary"], body=STORY["body"],
                      status=Article.Status.PUBLISHED, published_at=started)
    changes.create(article, by=LOADER, authors=list(Author.objects.filter(slug__in=STORY["authors"])))
    live.start_coverage(article, by=LOADER, at=started)
    step = (now - started) / (len(UPDATES) + 1)
    for n, (headline, body, key_event, pinned) in enumerate(UPDATES, start=1):
        live.post_update(article, by=DESK, headline=headline, body=body, key_event=key_event, pinned=pinned,
                         at=started + step * n)
    changes.flag_breaking(article, by=LOADER, until=now + timedelta(hours=BANNER_HOURS))
    return 1
