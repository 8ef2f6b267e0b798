"""The Markdown bodies of the content halls: rendered, then sanitised, on the server.

markdown-it-py renders CommonMark (with tables and strikethrough; raw HTML is
let through to the sanitiser rather than escaped, so nothing the office
pastes shows up as stray markup), and nh3 (Ammonia) keeps only an allowlist
of tags and attributes: no ``<script>``/``<style>`` (with their content), no
``on…=`` handlers, no ``style``, and links and pictures only to http, https
or mailto addresses (or relative ones on this site). Links leave with
``rel="noopener noreferrer nofollow"``.

Pure functions; no database.
"""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "a", "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
SPACES = re.compile(r"\s+")


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "breaks": True}).enable(["table", "strikethrough"])
    # Every link is rendered; the sanitiser decides which addresses stay (a
    # refused ``javascript:`` link keeps its text and loses its address).
    md.validateLink = lambda url: True
    return md


_MD = _parser()


def sanitise(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render(markdown: str) -> str:
    """The body's sanitised HTML. Headings start at ``<h2>`` (the page's title is its ``<h1>``)."""
    tokens = _MD.parse(markdown or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"
    return sanitise(_MD.renderer.render(tokens, _MD.options, {})).strip()


def plain_text(rendered: str) -> str:
    """The words of a rendered body, for search and for the share description."""
    text = html.unescape(nh3.clean(rendered, tags=set()))
    return SPACES.sub(" ", text).strip()
