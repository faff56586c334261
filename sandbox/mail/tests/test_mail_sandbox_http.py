"""Reading the mail sandbox over HTTP: the JSON a test filters, the source as it came, the
pages a person reads (the HTML part fenced off by its CSP), deleting, health."""

from __future__ import annotations

import smtplib

import httpx
import pytest
from countersign_mail_sandbox.harness import Served

from sandbox.mail.tests.mail_samples import approval_request, messages, send

pytestmark = pytest.mark.integration


def test_messages_are_listed_newest_first_and_filtered_by_recipient_and_subject(
    mail: Served,
) -> None:
    send(mail, approval_request("ann@example.com", "Bill 1 awaits you"))
    send(mail, approval_request("bob@example.com", "Bill 2 awaits you"))
    send(mail, approval_request("Ann@Example.com", "Reminder: bill 1"))
    assert [m["subject"] for m in messages(mail)] == [
        "Reminder: bill 1",
        "Bill 2 awaits you",
        "Bill 1 awaits you",
    ]
    to_ann = messages(mail, to="ann@example.com")
    assert [m["subject"] for m in to_ann] == ["Reminder: bill 1", "Bill 1 awaits you"]
    assert [m["subject"] for m in messages(mail, subject="REMINDER")] == ["Reminder: bill 1"]
    assert messages(mail, to="nobody@example.com") == []


def test_a_bcc_recipient_finds_the_message_by_the_envelope(mail: Served) -> None:
    with smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=10) as smtp:
        smtp.send_message(approval_request(), to_addrs=["ann@example.com", "audit@example.com"])
    [kept] = messages(mail, to="audit@example.com")
    assert kept["to"] == ["ann@example.com"]
    assert kept["envelope"]["rcpt_to"] == ["ann@example.com", "audit@example.com"]


def test_the_raw_source_is_the_message_byte_for_byte(mail: Served) -> None:
    source = (
        b"From: a@example.com\r\nTo: ann@example.com\r\nSubject: raw\r\n"
        b"X-Trace: 1\r\n\r\n.leading dot kept\r\nbody\r\n"
    )
    with smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=10) as smtp:
        smtp.sendmail("a@example.com", ["ann@example.com"], source)
    [kept] = messages(mail)
    raw = httpx.get(f"{mail.url}/api/messages/{kept['id']}/raw", timeout=10)
    assert raw.status_code == 200
    assert raw.content == source
    one = httpx.get(f"{mail.url}/api/messages/{kept['id']}", timeout=10).json()
    assert one["subject"] == "raw" and one["size"] == len(source)


def test_an_unknown_message_is_a_problem_404(mail: Served) -> None:
    for path in ("/api/messages/nope", "/api/messages/nope/raw"):
        answer = httpx.get(f"{mail.url}{path}", timeout=10)
        assert answer.status_code == 404
        assert answer.headers["content-type"] == "application/problem+json"
        assert "nope" in answer.json()["detail"]
    assert httpx.get(f"{mail.url}/messages/nope", timeout=10).status_code == 404


def test_delete_empties_the_mailbox(mail: Served) -> None:
    send(mail, approval_request())
    send(mail, approval_request())
    deleted = httpx.delete(f"{mail.url}/api/messages", timeout=10)
    assert deleted.json() == {"deleted": 2}
    assert messages(mail) == []
    page = httpx.get(mail.url, timeout=10)
    assert 'id="empty"' in page.text


def test_the_inbox_form_deletes_everything_and_returns_to_the_inbox(mail: Served) -> None:
    send(mail, approval_request())
    answer = httpx.post(f"{mail.url}/messages/delete", timeout=10)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert messages(mail) == []


def test_the_pages_escape_what_a_message_says(mail: Served) -> None:
    send(mail, approval_request(subject='<img src=x onerror="alert(1)">'))
    [kept] = messages(mail)
    inbox = httpx.get(mail.url, timeout=10).text
    page = httpx.get(f"{mail.url}/messages/{kept['id']}", timeout=10).text
    for html in (inbox, page):
        assert "<img src=x" not in html and "&lt;img src=x" in html


def test_the_html_part_is_served_sandboxed_with_its_links_opening_in_the_tab(
    mail: Served,
) -> None:
    send(mail, approval_request())
    [kept] = messages(mail)
    part = httpx.get(f"{mail.url}/messages/{kept['id']}/html", timeout=10)
    policy = part.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "sandbox allow-popups" in policy and "allow-scripts" not in policy
    assert '<head><base target="_top"><title>' in part.text
    page = httpx.get(f"{mail.url}/messages/{kept['id']}", timeout=10)
    assert "frame-src 'self'" in page.headers["content-security-policy"]
    assert 'sandbox="allow-popups' in page.text and "allow-scripts" not in page.text


def test_health_says_ready_while_smtp_listens(mail: Served) -> None:
    assert httpx.get(f"{mail.url}/health/live", timeout=10).json() == {"status": "ok"}
    ready = httpx.get(f"{mail.url}/health/ready", timeout=10)
    assert ready.status_code == 200 and ready.json()["status"] == "ok"
