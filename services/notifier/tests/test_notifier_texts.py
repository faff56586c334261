"""The words of each mail: subjects that say what and how much, both parts saying the same,
everything from an event escaped in the HTML, buttons as plain links."""

from __future__ import annotations

import uuid

from countersign_contracts import RequestSource
from countersign_harness.notifier_samples import ANN, DAN, decided, opened, published, rejected
from countersign_notifier.domain.choosing import (
    known_request,
    when_decided,
    when_opened,
    when_publication_updated,
    when_rejected,
)
from countersign_notifier.domain.mail import MailKind
from countersign_notifier.domain.retries import RetryPolicy
from countersign_notifier.domain.texts import Links, render

ORG = uuid.uuid4()
BUTTONS = Links(
    "https://web.example/requests/r1",
    "https://web.example/act/csg_x?decision=approve",
    "https://web.example/act/csg_x?decision=reject",
    "2026-12-13T10:00:00Z",
)


def test_an_awaiting_mail_names_supplier_and_amount_and_carries_the_bill_and_both_buttons() -> None:
    [mail] = when_opened(ORG, opened(uuid.uuid4(), ANN, reference="INV-42"))
    shown = render(MailKind.AWAITING, mail.facts, BUTTONS)
    assert shown.subject == "Approval needed: Acme Office Supplies Ltd, GBP 126.60"
    for part in (shown.text, shown.html):
        for expected in ("INV-42", "GBP 126.60", "2026-12-02", "Printer paper, A4, 5 boxes"):
            assert expected in part
        assert "https://web.example/requests/r1" in part
    assert "Approve: https://web.example/act/csg_x?decision=approve" in shown.text
    assert "href='https://web.example/act/csg_x?decision=reject'" in shown.html
    assert "<form" not in shown.html and "<img" not in shown.html and "<script" not in shown.html


def test_what_an_event_says_is_escaped_in_the_html() -> None:
    request_id = uuid.uuid4()
    known = known_request(ORG, opened(request_id, ANN))
    [mail] = when_rejected(rejected(request_id, DAN, "<b>no</b> & <script>x</script>"), known)
    shown = render(MailKind.REJECTED, mail.facts, Links("https://web.example/requests/r1"))
    assert "&lt;b&gt;no&lt;/b&gt; &amp; &lt;script&gt;" in shown.html
    assert "<script>" not in shown.html
    assert "Reason: <b>no</b> & <script>x</script>" in shown.text  # plain text stays as written
    assert shown.subject.startswith("Rejected: Acme Office Supplies Ltd")
    assert "Approve" not in shown.text


def test_the_published_mail_gives_the_xero_bill_id_and_no_buttons() -> None:
    request_id = uuid.uuid4()
    known = known_request(ORG, opened(request_id, ANN))
    event = published(request_id)
    [mail] = when_publication_updated(event, known)
    shown = render(MailKind.PUBLISHED, mail.facts, Links("https://web.example/requests/r1"))
    assert shown.subject == "In Xero: Acme Office Supplies Ltd, GBP 126.60"
    assert str(event.xero_invoice_id) in shown.text and str(event.xero_invoice_id) in shown.html


def test_a_mail_about_an_unknown_request_names_the_dext_item_instead() -> None:
    [mail] = when_decided(ORG, decided(uuid.uuid4(), ANN, DAN), None)
    shown = render(MailKind.AWAITING, mail.facts, BUTTONS)
    assert shown.subject == "Approval needed: Dext item paper (version 1)"


def test_retries_double_their_wait_up_to_a_ceiling_and_give_up_after_the_last_try() -> None:
    policy = RetryPolicy(max_attempts=4, backoff_s=2, max_backoff_s=5)
    assert [policy.wait_s(n) for n in (1, 2, 3)] == [2, 4, 5]
    assert [policy.gives_up(n) for n in (3, 4)] == [False, True]


def test_a_rejected_bill_pulled_from_xero_is_to_be_corrected_in_xero_not_in_dext() -> None:
    request_id, invoice_id = uuid.uuid4(), uuid.uuid4()
    pulled = {"source": RequestSource.XERO, "xero_invoice_id": invoice_id,
              "dext_item_id": f"xero:{invoice_id}"}  # fmt: skip
    known = known_request(ORG, opened(request_id, ANN).model_copy(update=pulled))
    event = rejected(request_id, DAN, "Wrong tenant").model_copy(update=pulled)
    [mail] = when_rejected(event, known)
    shown = render(MailKind.REJECTED, mail.facts, Links("https://web.example/requests/r1"))
    assert "back in DRAFT in Xero: correct it there" in shown.text
    assert "Dext" not in shown.text
    # A request opened before the notifier knew it: named by its bill in Xero.
    [awaiting] = when_decided(ORG, decided(request_id, ANN, DAN).model_copy(update=pulled), None)
    assert render(MailKind.AWAITING, awaiting.facts, BUTTONS).subject == (
        f"Approval needed: Xero bill {invoice_id}"
    )
