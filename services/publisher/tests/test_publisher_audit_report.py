import io
import uuid
from datetime import timedelta

import pypdf
from countersign_contracts import (
    Actor,
    ActorKind,
    AuditAction,
    AuditEntry,
    DuplicateReason,
    PossibleDuplicate,
    StepRef,
    XeroBillDuplicate,
)
from countersign_harness.publisher_samples import authorised_request, sample_bill
from countersign_publisher.domain.audit_report import audit_report_name, render_audit_report


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_audit_report_opens_and_names_every_approver_with_decision_and_comment() -> None:
    text = _text(render_audit_report(authorised_request(sample_bill("INV-77"))))
    assert "Priya Natarajan (approver): approved - step 2: Finance approval" in text
    assert 'comment: "Fine by me"' in text
    assert "Ravi Mehta (reviewer): review_submitted" in text
    assert "Olu Adebayo (administrator): force_approved" in text


def test_the_audit_report_shows_the_bill_header_lines_and_edits() -> None:
    text = _text(render_audit_report(authorised_request(sample_bill("INV-78"))))
    assert "Acme Office Supplies Ltd" in text and "INV-78" in text
    assert "126.60 GBP" in text
    assert "Printer paper, A4, 5 boxes" in text
    assert "lines[0].account_code: 400 -> 429" in text


def test_the_same_request_always_renders_the_same_bytes() -> None:
    request = authorised_request(sample_bill("INV-79"))
    assert render_audit_report(request) == render_audit_report(request)
    assert audit_report_name(request) == "approval-audit-dext-INV-79-v1.pdf"


def test_an_escalated_step_is_marked_and_its_escalation_and_targets_decision_listed() -> None:
    request = authorised_request(sample_bill("INV-80"))
    at, step = request.authorised_at - timedelta(hours=1), StepRef(index=1, name="Finance approval")
    target = Actor(kind=ActorKind.USER, user_id=uuid.uuid4(), name="Cat Lee", role="escalation")
    escalated = [
        AuditEntry(
            at=at,
            actor=Actor(kind=ActorKind.SYSTEM, name="Countersign"),
            action=AuditAction.ESCALATED,
            step=step,
            comment="undecided 8 h after its deadline; escalated to cat@example.com",
        ),
        AuditEntry(at=at, actor=target, action=AuditAction.APPROVED, step=step),
    ]
    trail = [*request.audit_trail[:3], *escalated, *request.audit_trail[3:]]
    text = _text(render_audit_report(request.model_copy(update={"audit_trail": trail})))
    assert "Escalated step 2: Finance approval" in text
    assert "Countersign: escalated - step 2: Finance approval" in text
    assert "escalated to cat@example.com" in text
    assert "Cat Lee (escalation): approved - step 2: Finance approval" in text
    assert "Escalated" not in _text(render_audit_report(request))


def test_a_likely_duplicate_the_approvers_were_warned_of_is_named() -> None:
    request = authorised_request(sample_bill("INV-81"))
    other = uuid.UUID("0190f1c8-0000-7000-8000-000000000001")
    warned = request.model_copy(
        update={
            "possible_duplicates": [
                PossibleDuplicate(
                    dext_item_id="dext-80",
                    request_id=other,
                    reason=DuplicateReason.SAME_INVOICE_NUMBER,
                )
            ]
        }
    )
    text = _text(render_audit_report(warned))
    assert "Likely duplicate of" in text
    # Wrapped to the page: compare without line breaks.
    assert f"Dext item dext-80 (request {other}): same supplier and invoice number" in " ".join(
        text.split()
    )
    assert "Likely duplicate" not in _text(render_audit_report(request))


def test_a_bill_entered_in_xero_the_approvers_were_warned_of_is_named() -> None:
    request = authorised_request(sample_bill("INV-82"))
    bill_id = uuid.UUID("0e6b3c5e-54cf-4a4f-9d0a-7b2f2f5c9e11")
    in_xero = XeroBillDuplicate(
        xero_invoice_id=bill_id,
        invoice_number="INV-82",
        contact_name="Acme Office Supplies Ltd",
        reason=DuplicateReason.SAME_DATE_AND_AMOUNT,
    )
    text = _text(
        render_audit_report(request.model_copy(update={"possible_duplicates_in_xero": [in_xero]}))
    )
    assert "Likely duplicate of" in text
    assert (
        f"bill INV-82 of Acme Office Supplies Ltd entered in Xero ({bill_id}): same supplier,"
        " date, total and currency"
    ) in " ".join(text.split())
