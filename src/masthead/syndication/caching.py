"""Headers for syndication answers that partners read from other sites."""


def readable_from_any_site(response):
    """Let partners' web apps read this public answer from their own pages (CORS).

    Safe for answers that are the same for everyone: ``*`` never sends the reader's cookies.
    """
    response["Access-Control-Allow-Origin"] = "*"
    return response
