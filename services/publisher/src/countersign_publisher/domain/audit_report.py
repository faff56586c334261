"""The audit-report PDF attached to every published bill: what was approved, by whom, when.

    header (supplier, reference, dates, totals, requester, workflow; escalated steps, if any)
    lines
    approval steps: each decision with approver, decision, time and comment; escalations
    edits (field, before, after) · administrator actions (force, reassign, approvers changed)
    supersede history · full trail

Rendering is deterministic (the creation date is the authorisation time), so the same request
always yields the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from countersign_contracts import AuditAction, AuditEntry, DuplicateReason, RequestAuthorised
from fpdf import FPDF

__all__ = ["audit_report_name", "render_audit_report"]

_DECISIONS = {
    AuditAction.APPROVED,
    AuditAction.REJECTED,
    AuditAction.REVIEW_SUBMITTED,
    AuditAction.AUTO_APPROVED,
    AuditAction.FORCE_APPROVED,
    AuditAction.FORCE_REJECTED,
    AuditAction.ESCALATED,
}
_ADMINISTRATIVE = {
    AuditAction.FORCE_APPROVED,
    AuditAction.FORCE_REJECTED,
    AuditAction.REASSIGNED,
    AuditAction.APPROVERS_CHANGED,
    AuditAction.CANCELLED,
}


def audit_report_name(authorised: RequestAuthorised) -> str:
    return f"approval-audit-{authorised.dext_item_id}-v{authorised.item_version}.pdf"


def _text(value: object) -> str:
    # The PDF core fonts speak Latin-1; anything outside it is shown as "?" rather than lost.
    return str(value).encode("latin-1", "replace").decode("latin-1")


def _when(entry: AuditEntry) -> str:
    return entry.at.strftime("%Y-%m-%d %H:%M UTC")


def _who(entry: AuditEntry) -> str:
    who = entry.actor.name + (f" ({entry.actor.role})" if entry.actor.role else "")
    if entry.on_behalf_of is not None:
        who += f" for {entry.on_behalf_of.name}"
    return who


class _Report(FPDF):
    """Lays the report out line by line with fpdf's plain ``text`` (and ``rect`` for the grid's
    borders): the report is short lines of plain text, and fpdf's cell and multi_cell, with
    their general line breaking and text shaping, cost most of its rendering time."""

    def text_line(self, x: float, text: str, height: float = 5, width: float = 0) -> None:
        """One line of ``text`` at ``x`` in a box ``height`` high (``width`` > 0: bordered),
        on the next page when this one is full; the cursor moves below it."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()
        y = self.get_y()
        if width:
            self.rect(x, y, width, height)
        # Where fpdf's cell puts the baseline: vertically centred in the box.
        self.text(x + self.c_margin, y + 0.5 * height + 0.3 * self.font_size, text)

    def next_line(self, height: float = 5) -> None:
        self.set_y(self.get_y() + height)

    def report_title(self, text: str) -> None:
        self.set_font("Helvetica", "B", 15)
        self.text_line(self.l_margin, text, 9)
        self.next_line(9)

    def heading(self, title: str) -> None:
        self.next_line(3)
        self.set_font("Helvetica", "B", 12)
        self.text_line(self.l_margin, _text(title), 7)
        self.next_line(7)
        self.set_font("Helvetica", "", 9)

    def pairs(self, rows: Iterable[tuple[str, object]]) -> None:
        for label, value in rows:
            self.set_font("Helvetica", "B", 9)
            self.text_line(self.l_margin, _text(label))
            self.set_font("Helvetica", "", 9)
            self.paragraph(value, indent=45)

    def paragraph(self, value: object, indent: float = 0) -> None:
        """``value`` from ``indent`` to the right margin, wrapped at spaces (a word wider than
        the line at characters)."""
        room = self.epw - indent - 2 * self.c_margin
        for text in _wrapped(_text(value), room, self._width):
            self.text_line(self.l_margin + indent, text)
            self.next_line()

    def _width(self, text: str) -> float:
        # The core font's own metrics, in user units (what fpdf lays the text out with).
        assert self.current_font is not None, "a font is set before any text"
        points: float = self.current_font.get_text_width(text, self.font_size_pt, None)[1]
        return points / self.k

    def grid(
        self, header: Sequence[str], widths: Sequence[int], rows: Iterable[Sequence[object]]
    ) -> None:
        self.set_font("Helvetica", "B", 8)
        self.row(header, widths)
        self.set_font("Helvetica", "", 8)
        for row in rows:
            self.row(
                [
                    _text(value)[: max(4, width // 2)]
                    for value, width in zip(row, widths, strict=True)
                ],
                widths,
            )

    def row(self, values: Sequence[str], widths: Sequence[int]) -> None:
        if self.get_y() + 5 > self.page_break_trigger:
            self.add_page()
        x = self.l_margin
        for value, width in zip(values, widths, strict=True):
            self.text_line(x, _text(value), width=width)
            x += width
        self.next_line()

    def entries(self, entries: Sequence[AuditEntry], empty: str) -> None:
        if not entries:
            self.paragraph(empty)
        for entry in entries:
            step = f" - step {entry.step.index + 1}: {entry.step.name}" if entry.step else ""
            self.paragraph(f"{_when(entry)}  {_who(entry)}: {entry.action.value}{step}")
            if entry.comment:
                self.paragraph(f'comment: "{entry.comment}"', indent=6)
            for change in entry.changes:
                self.paragraph(f"{change.field}: {change.before} -> {change.after}", indent=6)


def _wrapped(text: str, room: float, width: Callable[[str], float]) -> list[str]:
    """Greedy word wrap of ``text`` into lines no wider than ``room``."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if width(candidate) <= room:
                line = candidate
                continue
            if line:
                lines.append(line)
            while width(word) > room:  # a word wider than the line (a URL): cut it
                cut = max(1, next(n for n in range(len(word), 0, -1) if width(word[:n]) <= room))
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def render_audit_report(authorised: RequestAuthorised) -> bytes:
    bill = authorised.bill
    trail = authorised.audit_trail
    pdf = _Report(format="A4")
    pdf.set_creation_date(authorised.authorised_at)
    pdf.set_title(_text(f"Approval audit report {bill.document_reference}"))
    pdf.set_author("Countersign")
    pdf.add_page()
    pdf.report_title("Approval audit report")
    pdf.pairs(
        [
            ("Supplier", bill.supplier.name),
            ("Reference", bill.document_reference),
            ("Issue / due date", f"{bill.issue_date} / {bill.due_date}"),
            ("Total", f"{bill.total} {bill.currency} (tax {bill.total_tax})"),
            ("Requester", f"{bill.requester.name} <{bill.requester.email}>"),
            ("Workflow", f"{authorised.workflow.name} (version {authorised.workflow.version})"),
            ("Request", f"{authorised.request_id}"),
            ("Dext item", f"{authorised.dext_item_id}, version {authorised.item_version}"),
            (
                "Authorised",
                authorised.authorised_at.strftime("%Y-%m-%d %H:%M UTC")
                + (" (auto-approved)" if authorised.auto_approved else ""),
            ),
            ("Source document", bill.source_url),
            *_escalated(trail),
            *_duplicates(authorised),
        ]
    )
    pdf.heading("Lines")
    pdf.grid(
        ["Description", "Qty", "Unit", "Account", "Tax type", "Tax", "Amount"],
        [62, 14, 20, 18, 24, 20, 22],
        (
            [
                ln.description,
                ln.quantity,
                ln.unit_amount,
                ln.account_code,
                ln.tax_type,
                ln.tax_amount,
                ln.line_amount,
            ]
            for ln in bill.lines
        ),
    )
    _trail_sections(pdf, trail)
    return bytes(pdf.output())


def _escalated(trail: list[AuditEntry]) -> list[tuple[str, object]]:
    """The header's "Escalated" row: each step escalated, when any was."""
    steps = [
        f"step {e.step.index + 1}: {e.step.name}" if e.step else "a step"
        for e in trail
        if e.action is AuditAction.ESCALATED
    ]
    return [("Escalated", "; ".join(steps))] if steps else []


def _duplicates(authorised: RequestAuthorised) -> list[tuple[str, object]]:
    """The header's "Likely duplicate of" row: the approvers were warned, and approved anyway."""
    others = [
        f"Dext item {d.dext_item_id}"
        + (f" (request {d.request_id})" if d.request_id else "")
        + (
            ": same supplier and invoice number"
            if d.reason is DuplicateReason.SAME_INVOICE_NUMBER
            else ": same supplier, date, total and currency"
        )
        for d in authorised.possible_duplicates
    ] + [
        f"bill {b.invoice_number} of {b.contact_name} entered in Xero ({b.xero_invoice_id})"
        + (
            ": same supplier and invoice number"
            if b.reason is DuplicateReason.SAME_INVOICE_NUMBER
            else ": same supplier, date, total and currency"
        )
        for b in authorised.possible_duplicates_in_xero
    ]
    return [("Likely duplicate of", "; ".join(others))] if others else []


def _trail_sections(pdf: _Report, trail: list[AuditEntry]) -> None:
    """The trail, by kind of entry, then whole."""
    pdf.heading("Approval steps")
    pdf.entries([e for e in trail if e.action in _DECISIONS], "No step decisions recorded.")
    pdf.heading("Edits")
    pdf.entries([e for e in trail if e.action is AuditAction.EDITED], "No edits.")
    pdf.heading("Edits after approval")
    pdf.entries(
        [e for e in trail if e.action is AuditAction.EDITED_AFTER_APPROVAL],
        "None: the bill is as it was approved.",
    )
    pdf.heading("Administrator actions")
    pdf.entries([e for e in trail if e.action in _ADMINISTRATIVE], "None.")
    pdf.heading("Supersede history")
    pdf.entries(
        [e for e in trail if e.action is AuditAction.SUPERSEDED], "No earlier version replaced."
    )
    pdf.heading("Full trail")
    pdf.entries(trail, "Empty.")
