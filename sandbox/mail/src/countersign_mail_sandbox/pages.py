"""The pages a person reads mail with: server-rendered HTML that works without JavaScript, every
value escaped, readable from 375 px up. What a test drives:

    inbox     form#filter (input#to, button#apply), ol#messages with li.message
              (a.subject → the message), p#empty when there is none, form#clear button#clear
    message   h1#subject, dl#headers, ul#links, pre#text, iframe#html-body (the HTML part from
              /messages/{id}/html), a#raw (the source)

A message's HTML never runs in these pages: it is served on its own route with a CSP that
sandboxes it (no scripts, no forms, no remote loads) and opens its links in the whole tab.
"""

from __future__ import annotations

import re
from html import escape

from countersign_mail_sandbox.messages import Link, Message

__all__ = ["PAGE_CSP", "PART_CSP", "framed_html", "inbox_page", "message_page", "missing_page"]

PAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; form-action 'self';"
    " base-uri 'none'; frame-ancestors 'none'"
)
PART_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'self';"
    " form-action 'none'; frame-ancestors 'self';"
    " sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation"
)

_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.IGNORECASE)

_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1a1a1a}
a{color:#0645ad}
:focus-visible{outline:3px solid #f90;outline-offset:2px}
ol#messages{list-style:none;padding:0}li.message{border-bottom:1px solid #ccc;padding:.6rem 0}
li.message a.subject{font-weight:600;font-size:1.05rem;display:block;padding:.2rem 0}
.meta{color:#444;font-size:.9rem;overflow-wrap:anywhere}
form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin:.5rem 0}
input{font:inherit;padding:.4rem;min-width:14rem;max-width:100%}
button{font:inherit;padding:.4rem .9rem;min-height:44px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;overflow-wrap:anywhere}
dt{font-weight:600}dd{margin:0}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f6f6;padding:.8rem}
iframe{width:100%;height:70vh;border:1px solid #999;background:#fff}
@media (max-width:30rem){dl{grid-template-columns:1fr}dd{margin-bottom:.4rem}}
"""

_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{style}</style></head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


def _page(title: str, body: str) -> str:
    return _PAGE.format(title=escape(title), style=_STYLE, body=body)


def _summary(message: Message) -> str:
    when = message.received_at.isoformat(timespec="seconds")
    return (
        f'<li class="message" id="message-{escape(message.id)}">'
        f'<a class="subject" href="/messages/{escape(message.id)}">'
        f"{escape(message.subject or '(no subject)')}</a>"
        f'<span class="meta">From {escape(message.sender or message.mail_from)}'
        f" · to {escape(', '.join(message.rcpt_to))}"
        f' · <time datetime="{when}">{when.replace("T", " ")}</time></span></li>'
    )


def inbox_page(messages: list[Message], to: str | None) -> str:
    found = "\n".join(_summary(m) for m in messages)
    listing = (
        f'<ol id="messages" aria-label="Messages, newest first">\n{found}\n</ol>'
        if messages
        else '<p id="empty">No messages yet.</p>'
    )
    heading = f"Mail to {to}" if to else "All mail"
    everything = '<a href="/" id="all">All mail</a>\n' if to else ""
    body = (
        f"<h1>Mail sandbox</h1>\n"
        f'<form id="filter" role="search" method="get" action="/">\n'
        f'<label for="to">Recipient address</label>\n'
        f'<input type="email" id="to" name="to" value="{escape(to or "")}"'
        f' autocomplete="off">\n'
        f'<button type="submit" id="apply">Show</button>\n'
        f"{everything}</form>\n"
        f'<h2 id="heading" aria-live="polite">{escape(heading)} ({len(messages)})</h2>\n'
        f"{listing}\n"
        f'<form id="clear" method="post" action="/messages/delete">\n'
        f'<button type="submit" id="clear-all">Delete all messages</button>\n</form>'
    )
    return _page(f"{heading} | Mail sandbox", body)


def _headers(message: Message) -> str:
    rows = [
        ("From", message.sender),
        ("To", ", ".join(message.to)),
        ("Cc", ", ".join(message.cc)),
        ("Subject", message.subject),
        ("Date", message.date),
        ("Message-ID", message.message_id),
        ("Envelope from", message.mail_from),
        ("Envelope to", ", ".join(message.rcpt_to)),
        ("Received", message.received_at.isoformat(timespec="seconds")),
        ("Size", f"{message.size} bytes"),
    ]
    return "\n".join(f"<dt>{name}</dt><dd>{escape(value)}</dd>" for name, value in rows if value)


def _link(link: Link) -> str:
    shown = f'<a href="{escape(link.url)}">{escape(link.text or link.url)}</a>'
    where = f' <span class="meta">{escape(link.url)}</span>' if link.text else ""
    return f"<li>{shown}{where}</li>"


def _links(message: Message) -> str:
    if not message.links:
        return ""
    items = "\n".join(_link(link) for link in message.links)
    return f'<h2 id="links-heading">Links</h2>\n<ul id="links">\n{items}\n</ul>\n'


def message_page(message: Message) -> str:
    mid = escape(message.id)
    html_part = (
        f'<h2 id="html-heading">HTML body</h2>\n'
        f'<iframe id="html-body" title="HTML body of the message" src="/messages/{mid}/html"'
        f' sandbox="allow-popups allow-popups-to-escape-sandbox'
        f' allow-top-navigation-by-user-activation"></iframe>\n'
        if message.html is not None
        else ""
    )
    text_part = (
        f'<h2 id="text-heading">Text body</h2>\n<pre id="text">{escape(message.text)}</pre>\n'
        if message.text is not None
        else ""
    )
    body = (
        f'<p><a href="/" id="back">← All mail</a></p>\n'
        f'<h1 id="subject">{escape(message.subject or "(no subject)")}</h1>\n'
        f'<dl id="headers">\n{_headers(message)}\n</dl>\n'
        f"{_links(message)}{html_part}{text_part}"
        f'<p><a id="raw" href="/api/messages/{mid}/raw">Message source</a></p>'
    )
    return _page(f"{message.subject or '(no subject)'} | Mail sandbox", body)


def framed_html(message: Message) -> str:
    """The HTML part as sent, its links made to open in the whole tab, not in the frame."""
    html = message.html or ""
    head = _HEAD.search(html)
    at = head.end() if head else 0
    return f'{html[:at]}<base target="_top">{html[at:]}'


def missing_page(message_id: str) -> str:
    body = (
        f'<h1 id="missing">No such message</h1>\n'
        f"<p>There is no message {escape(message_id)}: it may have been deleted, or dropped"
        f' as the oldest past the mailbox\'s limit.</p>\n<p><a href="/">All mail</a></p>'
    )
    return _page("No such message | Mail sandbox", body)
