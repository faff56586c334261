"""The pipeline runs the mail sandbox as a process of its own next to the services, and its
endpoints say where to send mail and where to read it — as ``.local/stack.env`` does for
``make up``."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import httpx
import pytest
from countersign_harness.endpoints import Endpoints
from countersign_harness.pipeline import Pipeline

SHARED_PIPELINE = True  # its tests change nothing other modules see (conftest.py)


@pytest.mark.e2e
def test_the_pipelines_mail_sandbox_takes_smtp_and_shows_the_message(pipeline: Pipeline) -> None:
    endpoints = pipeline.endpoints
    message = EmailMessage()
    message["From"] = "Countersign <no-reply@countersign.example>"
    message["To"] = "ann@example.com"
    message["Subject"] = f"Pipeline {pipeline.isolation} says hello"
    message.set_content("Sign in: http://127.0.0.1:8082/v1/sign-in?token=t\n")
    host, port = endpoints.mail_smtp
    with smtplib.SMTP(host, port, timeout=10) as smtp:
        smtp.send_message(message)

    found = httpx.get(
        f"{endpoints.mail_sandbox}/api/messages",
        params={"to": "ann@example.com", "subject": pipeline.isolation},
        timeout=10,
    ).json()
    assert [m["links"] for m in found] == [
        [{"url": "http://127.0.0.1:8082/v1/sign-in?token=t", "text": ""}]
    ]


def test_endpoints_read_the_mail_sandbox_from_stack_env() -> None:
    stack_env = {
        "INGEST_URL": "http://127.0.0.1:8081",
        "APPROVAL_URL": "http://127.0.0.1:8082",
        "PUBLISHER_URL": "http://127.0.0.1:8083",
        "DEXT_SANDBOX_URL": "http://127.0.0.1:8091",
        "XERO_IDENTITY_URL": "http://127.0.0.1:8092",
        "MAIL_SANDBOX_URL": "http://127.0.0.1:8093",
        "MAIL_SMTP_HOST": "127.0.0.1",
        "MAIL_SMTP_PORT": "2525",
        "COUNTERSIGN_ADMIN_TOKEN": "t",
    }
    read = Endpoints.from_environment(stack_env)
    assert (read.mail_sandbox, read.mail_smtp) == ("http://127.0.0.1:8093", ("127.0.0.1", 2525))
