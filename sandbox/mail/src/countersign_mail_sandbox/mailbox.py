"""The messages received, newest last, bounded in count and bytes: beyond either bound the
oldest go. SMTP writes from the event loop while a test thread may read (the in-process
harness), so every access holds one lock."""

from __future__ import annotations

import threading
from collections import OrderedDict

from countersign_mail_sandbox.messages import Message

__all__ = ["Mailbox"]


class Mailbox:
    def __init__(self, max_messages: int, max_bytes: int) -> None:
        self.max_messages = max_messages
        self.max_bytes = max_bytes
        self.dropped = 0
        self._messages: OrderedDict[str, Message] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def add(self, message: Message) -> None:
        with self._lock:
            self._messages[message.id] = message
            self._bytes += message.size
            while len(self._messages) > self.max_messages or self._bytes > self.max_bytes:
                _, oldest = self._messages.popitem(last=False)
                self._bytes -= oldest.size
                self.dropped += 1

    def get(self, message_id: str) -> Message | None:
        with self._lock:
            return self._messages.get(message_id)

    def newest_first(self, to: str | None = None, subject: str | None = None) -> list[Message]:
        """``to``: one address, among the envelope's recipients or the To and Cc headers
        (case-insensitive); ``subject``: a part of the subject (case-insensitive)."""
        with self._lock:
            messages = list(reversed(self._messages.values()))
        if to:
            messages = [m for m in messages if m.addressed_to(to)]
        if subject:
            wanted = subject.casefold()
            messages = [m for m in messages if wanted in m.subject.casefold()]
        return messages

    def clear(self) -> int:
        with self._lock:
            count = len(self._messages)
            self._messages.clear()
            self._bytes = 0
            return count

    def __len__(self) -> int:
        with self._lock:
            return len(self._messages)
