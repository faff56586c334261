"""The approval's decisions written to the bill's history in the ledger (``write_history``;
Xero: History and Notes), unless the organisation turned the notes off. A note has no id (Xero
gives none): what the step stores is how many notes were written. Notes sent before are looked
up on the bill first, and only those not found are sent (ADR 0035's look-up before resending,
ADR 0051)."""

from __future__ import annotations

from dataclasses import replace

from countersign_contracts import HistoryNotesAdded, PublicationStep

from countersign_publisher.domain.history_notes import history_notes, rejection_note
from countersign_publisher.handlers.job import Job
from countersign_publisher.handlers.recording import StepPorts, mark_sent, store
from countersign_publisher.ledger.values import CUT

__all__ = ["write_history"]


def _words(text: str) -> str:
    """A note as compared with the ledger's: by its words, since a ledger may keep its spacing
    otherwise (QBO keeps each note on one line of the memo, a line break as a space)."""
    return " ".join(text.split())


def _is(found: str, note: str) -> bool:
    """Whether ``found`` on the bill is ``note``: the same words, or a ledger's cut of it (its
    first words, then ``CUT``)."""
    kept, wanted = _words(found), _words(note)
    return kept == wanted or (kept.endswith(CUT) and wanted.startswith(kept[: -len(CUT)]))


def _not_found(notes: list[str], found: list[str]) -> list[str]:
    """The notes the bill's history does not have yet, in their order."""
    left = list(found)
    missing = []
    for text in notes:
        match = next((n for n, kept in enumerate(left) if _is(kept, text)), None)
        if match is None:
            missing.append(text)
        else:
            del left[match]
    return missing


def _notes(job: Job) -> list[str]:
    """The approval's decisions; for a rejected bill pulled from Xero, the rejection."""
    if job.progress.rejected:
        return [rejection_note(job.rejected)]
    return history_notes(job.authorised)


async def write_history(ports: StepPorts, job: Job) -> None:
    invoice_id = job.progress.ledger_bill_id
    assert invoice_id is not None, "notes are written once the bill exists"
    org = job.row.organisation_id
    step = PublicationStep.WRITE_HISTORY
    notes = _notes(job)
    missing = notes
    if notes and job.progress.was_sent(step):
        missing = _not_found(notes, await ports.ledger(job).notes(org, invoice_id))
    if missing:
        await mark_sent(ports, [job], step)
        await ports.ledger(job).add_notes(org, invoice_id, missing, job.key(step))
        ports.crash(f"{step.value}:sent")
    event = HistoryNotesAdded(
        **job.common(), **job.named(ledger_bill_id=invoice_id), notes=len(notes)
    )
    await store(ports, job, step, replace(job.progress, history_notes=len(notes)), event)
