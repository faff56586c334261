"""The mail sandbox as a sender meets it: real SMTP on loopback, answered as RFC 5321 says,
and what was accepted read back over HTTP."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from countersign_mail_sandbox.harness import Served, serve
from countersign_mail_sandbox.settings import MailSandboxSettings
from pydantic import SecretStr

from sandbox.mail.tests.mail_samples import approval_request, messages, send

pytestmark = pytest.mark.integration

TEN_MB = 10 * 1024 * 1024


def test_a_multipart_message_is_kept_with_both_parts_and_its_links(mail: Served) -> None:
    send(mail, approval_request())
    [kept] = messages(mail)
    assert kept["from"] == "Countersign <no-reply@countersign.example>"
    assert kept["to"] == ["ann@example.com"]
    assert kept["envelope"] == {
        "mail_from": "no-reply@countersign.example",
        "rcpt_to": ["ann@example.com"],
    }
    assert "£120.00" in kept["text"] and "£120.00" in kept["html"]
    assert kept["links"] == [
        {"url": "http://127.0.0.1:8082/v1/decisions/approve?token=abc&item=7", "text": "Approve"},
        {"url": "http://127.0.0.1:8082/v1/decisions/reject?token=abc&item=7", "text": "Reject"},
    ]


def test_utf8_subject_body_and_address_arrive_intact(mail: Served) -> None:
    message = EmailMessage()
    message["From"] = "Zoë Ökonom <zoe@example.com>"
    message["To"] = "josé@exämple.com"
    message["Subject"] = "Facture n° 42 — 株式会社テスト ☕"
    message.set_content("Montant : 12,50 €\nhttps://countersign.example/é?x=1.\n", cte="8bit")
    with smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("smtputf8") and smtp.has_extn("8bitmime")
        smtp.send_message(message, mail_options=["SMTPUTF8", "BODY=8BITMIME"])
    [kept] = messages(mail, to="josé@exämple.com")
    assert kept["subject"] == "Facture n° 42 — 株式会社テスト ☕"
    assert kept["from"] == "Zoë Ökonom <zoe@example.com>"
    assert kept["text"] == "Montant : 12,50 €\nhttps://countersign.example/é?x=1.\n"
    assert kept["links"] == [{"url": "https://countersign.example/é?x=1", "text": ""}]


def test_a_subject_folded_after_its_name_arrives_without_the_folds_space(mail: Served) -> None:
    message = EmailMessage()
    message["From"] = "no-reply@countersign.example"
    message["To"] = "ada@example.com"
    subject = "Authorised in Xero without approval: Quick Cash Consulting, GBP 3,000.00"
    message["Subject"] = subject
    message.set_content("Advice\n")
    assert b"Subject:\n " in message.as_bytes() or b"Subject:\r\n " in message.as_bytes()
    with smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=10) as smtp:
        smtp.send_message(message)
    [kept] = messages(mail, to="ada@example.com")
    assert kept["subject"] == subject


def test_a_non_ascii_recipient_without_smtputf8_is_refused_553(mail: Served) -> None:
    with smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        smtp.mail("zoe@example.com")  # without SMTPUTF8
        smtp.command_encoding = "utf-8"  # smtplib itself would refuse to send it
        assert smtp.docmd("RCPT", "TO:<josé@example.com>")[0] == 553
    assert messages(mail) == []


def test_ehlo_advertises_the_size_limit_and_a_declared_larger_size_is_refused_552(
    mail: Served,
) -> None:
    with smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        assert smtp.esmtp_features["size"] == str(TEN_MB)
        code, _ = smtp.mail("no-reply@countersign.example", [f"SIZE={TEN_MB + 1}"])
        assert code == 552


def test_a_body_over_the_size_limit_is_refused_552_and_not_kept(mail: Served) -> None:
    body = b"Subject: big\r\n\r\n" + (b"x" * 998 + b"\r\n") * (TEN_MB // 1000 + 10)
    with smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=30) as smtp:
        smtp.ehlo()
        assert smtp.mail("no-reply@countersign.example")[0] == 250  # no SIZE= declared
        assert smtp.rcpt("ann@example.com")[0] == 250
        code, _ = smtp.data(body)
        assert code == 552
        # The session goes on: the next message is taken.
        smtp.sendmail("no-reply@countersign.example", ["ann@example.com"], b"Subject: ok\r\n\r\n.")
    assert [m["subject"] for m in messages(mail)] == ["ok"]


@pytest.mark.parametrize(
    ("recipient", "code"),
    [
        ("ann", 501),  # no domain
        ("ann@-bad-.example", 501),  # a label may not start or end with a hyphen
        ("ann@@example.com", 553),  # does not parse as an address at all
        ("ann@nowhere.invalid", 550),  # RFC 2606: .invalid never has a mailbox
    ],
)
def test_a_bad_recipient_is_refused_and_the_good_one_still_gets_the_message(
    mail: Served, recipient: str, code: int
) -> None:
    with smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=10) as smtp:
        refused = smtp.sendmail(
            "no-reply@countersign.example",
            [recipient, "ann@example.com"],
            b"Subject: two recipients\r\n\r\nhello\r\n",
        )
    assert refused[recipient][0] == code
    [kept] = messages(mail)
    assert kept["envelope"]["rcpt_to"] == ["ann@example.com"]


def test_past_the_recipient_limit_the_server_answers_452(mail: Served) -> None:
    with smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        smtp.mail("no-reply@countersign.example")
        answers = [smtp.rcpt(f"person{n}@example.com")[0] for n in range(101)]
    assert answers == [250] * 100 + [452]


@pytest.fixture(scope="module", name="guarded")
def guarded_fixture() -> Iterator[Served]:
    settings = MailSandboxSettings(smtp_user="countersign", smtp_password=SecretStr("s3cret"))
    with serve(settings) as served:
        yield served


def test_with_credentials_set_mail_from_without_auth_is_refused_530(guarded: Served) -> None:
    with smtplib.SMTP(guarded.smtp_host, guarded.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        assert sorted(smtp.esmtp_features["auth"].split()) == ["LOGIN", "PLAIN"]
        assert smtp.mail("no-reply@countersign.example")[0] == 530
    assert messages(guarded) == []


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_wrong_credentials_are_refused_535(guarded: Served, mechanism: str) -> None:
    with smtplib.SMTP(guarded.smtp_host, guarded.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        smtp.user, smtp.password = "countersign", "wrong"
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            smtp.auth(mechanism, getattr(smtp, f"auth_{mechanism.lower()}"))
        assert refused.value.smtp_code == 535


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_the_right_credentials_are_accepted_and_the_message_kept(
    guarded: Served, mechanism: str
) -> None:
    with smtplib.SMTP(guarded.smtp_host, guarded.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        smtp.user, smtp.password = "countersign", "s3cret"
        code, _ = smtp.auth(mechanism, getattr(smtp, f"auth_{mechanism.lower()}"))
        assert code == 235
        smtp.send_message(approval_request(subject=f"Signed in with {mechanism}"))
    assert messages(guarded, subject=f"with {mechanism}")[0]["to"] == ["ann@example.com"]


def test_the_mailbox_keeps_the_newest_and_drops_the_oldest_past_its_bound() -> None:
    with serve(MailSandboxSettings(max_messages=3)) as small:
        for n in range(5):
            send(small, approval_request(subject=f"message {n}"))
        assert [m["subject"] for m in messages(small)] == ["message 4", "message 3", "message 2"]
