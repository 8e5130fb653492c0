from masthead import sanitize


def test_markdown_body_is_rendered_and_sanitised():
    html = sanitize.render_markdown("## Talks\n\nA [link](https://example.org) and <script>alert(1)</script>\n\n> quoted")
    assert "<h2>Talks</h2>" in html
    assert '<a href="https://example.org" rel="noopener">link</a>' in html
    assert "<script" not in html
    assert "<blockquote>" in html


def test_javascript_urls_are_dropped():
    html = sanitize.article_html('<a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)>')
    assert "javascript" not in html
    assert "onerror" not in html


def test_reader_links_are_nofollow_ugc():
    html = sanitize.reader_html('<a href="https://spam.example">buy</a>')
    assert 'rel="nofollow ugc noopener"' in html
