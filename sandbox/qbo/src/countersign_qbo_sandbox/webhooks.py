"""Webhook registrations (URL and verifier token per app). Deliveries are not built yet
(sandbox/qbo/README.md, "Not yet built"); ``wake`` is where a write tells the sender."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["WebhookBook"]


@dataclass
class Registration:
    url: str
    verifier_token: str


class WebhookBook:
    def __init__(self) -> None:
        self.registrations: list[Registration] = []

    def register(self, url: str, verifier_token: str) -> None:
        self.registrations.append(Registration(url, verifier_token))

    def wake(self) -> None:
        """Called after every Accounting write; nothing to send until deliveries exist."""
