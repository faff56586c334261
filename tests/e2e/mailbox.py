"""The mail sandbox as the e2e tests read it: the messages to one address, waiting until the
ones a test looks for have arrived, and the sign-in link the web app mailed a person."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from countersign_harness.organisation import Organisation
from countersign_harness.waiting import eventually

__all__ = ["Message", "linking", "messages_to", "sign_in_link", "wait_for_mail"]

Message = dict[str, Any]


async def messages_to(org: Organisation, to: str) -> list[Message]:
    async with httpx.AsyncClient(timeout=10) as http:
        answer = await http.get(f"{org.endpoints.mail_sandbox}/api/messages", params={"to": to})
    answer.raise_for_status()
    found: list[Message] = answer.json()
    return found


async def wait_for_mail(
    org: Organisation, to: str, where: Callable[[Message], bool], timeout_s: float = 60
) -> list[Message]:
    """The messages to ``to`` that ``where`` picks, once there is at least one."""

    async def picked() -> list[Message]:
        return [message for message in await messages_to(org, to) if where(message)]

    found: list[Message] = await eventually(picked, bool, timeout_s=timeout_s)
    return found


def linking(message: Message, part: str) -> bool:
    """Whether one of the message's links contains ``part``."""
    return any(part in link["url"] for link in message["links"])


async def sign_in_link(org: Organisation, email: str) -> str:
    """The sign-in link the web app mailed ``email`` for ``org``: one person may be a user of
    several organisations of a shared pipeline (a link each) and have the notifier's mail too;
    only this organisation's link counts, and there must be exactly one."""

    def links(message: Message) -> list[str]:
        return [link["url"] for link in message["links"]
                if "/sign-in/link?" in link["url"]
                and link["text"] == f"Sign in to {org.name}"]  # fmt: skip

    messages = await wait_for_mail(org, email, lambda message: bool(links(message)), 30)
    found = [url for message in messages for url in links(message)]
    assert len(found) == 1, messages
    return found[0]
