"""Messages as Countersign will send them, and the few calls every test makes."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any

import httpx
from countersign_mail_sandbox.harness import Served

__all__ = ["approval_request", "messages", "send"]

APPROVE = "http://127.0.0.1:8082/v1/decisions/approve?token=abc&amp;item=7"
REJECT = "http://127.0.0.1:8082/v1/decisions/reject?token=abc&amp;item=7"


def approval_request(
    to: str = "ann@example.com", subject: str = "A bill awaits you"
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Countersign <no-reply@countersign.example>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(
        "Acme Supplies Ltd, £120.00.\nApprove: " + APPROVE.replace("&amp;", "&") + "\n"
    )
    message.add_alternative(
        "<!doctype html><html><head><title>Approval</title></head><body>"
        "<p>Acme Supplies Ltd, £120.00.</p>"
        f'<p><a id="approve" href="{APPROVE}">Approve</a> '
        f'<a id="reject" href="{REJECT}"> Reject </a></p>'
        "<script>document.title = 'scripts ran'</script></body></html>",
        subtype="html",
    )
    return message


def send(served: Served, message: EmailMessage) -> None:
    with smtplib.SMTP(served.smtp_host, served.smtp_port, timeout=10) as smtp:
        smtp.send_message(message)


def messages(served: Served, **query: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{served.url}/api/messages", params=query, timeout=10)
    answer.raise_for_status()
    found: list[dict[str, Any]] = answer.json()
    return found
