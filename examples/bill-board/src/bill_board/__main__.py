"""``bill-board``: reads approval.requests.v1 and ledger.publications.v1 into the board.

    KAFKA_BOOTSTRAP_SERVERS   the brokers (required)
    KAFKA_TOPIC_PREFIX        the prefix of Countersign's topics, if its operator set one
    BILL_BOARD_GROUP          the consumer group (default bill-board)
    KAFKA_SECURITY_PROTOCOL   PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL
    KAFKA_SASL_MECHANISM      SCRAM-SHA-512 (default), SCRAM-SHA-256 or PLAIN
    KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SSL_CAFILE   your principal, the broker's CA

It commits its offsets after the board's transaction, so nothing is lost, and a message
redelivered after a crash changes nothing. A message it cannot read (an event type added
after this version of the contracts, a broken one) is logged and skipped: a tolerant reader
never stops on what it does not need.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import ssl
from typing import Any

from aiokafka import AIOKafkaConsumer
from countersign_contracts import ContractViolation, decode

from bill_board.board import TOPICS, Board

log = logging.getLogger("bill_board")


def _security() -> dict[str, Any]:
    protocol = os.environ.get("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
    options: dict[str, Any] = {"security_protocol": protocol}
    if "SSL" in protocol:
        options["ssl_context"] = ssl.create_default_context(
            cafile=os.environ.get("KAFKA_SSL_CAFILE") or None
        )
    if protocol.startswith("SASL"):
        options.update(
            sasl_mechanism=os.environ.get("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"),
            sasl_plain_username=os.environ["KAFKA_SASL_USERNAME"],
            sasl_plain_password=os.environ["KAFKA_SASL_PASSWORD"],
        )
    return options


async def follow(board: Board, until_idle_s: float | None) -> int:
    """Applies every message to the board, committing after each batch; with ``until_idle_s``
    returns once no message came for that long. Returns the messages read."""
    prefix = os.environ.get("KAFKA_TOPIC_PREFIX", "")
    consumer = AIOKafkaConsumer(
        *(prefix + topic for topic in TOPICS),
        bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"],
        group_id=os.environ.get("BILL_BOARD_GROUP", "bill-board"),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **_security(),
    )
    read = 0
    await consumer.start()
    try:
        while True:
            batch = await consumer.getmany(timeout_ms=int((until_idle_s or 1) * 1000))
            if not batch:
                if until_idle_s is not None:
                    return read
                continue
            for partition, messages in batch.items():
                topic = partition.topic.removeprefix(prefix)
                for message in messages:
                    read += 1
                    try:
                        board.apply(decode(topic, message.value or b""))
                    except ContractViolation as unreadable:
                        log.warning("skipped %s at %s: %s", topic, message.offset, unreadable)
            board.commit()
            await consumer.commit()
    finally:
        await consumer.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bill-board.sqlite", help="the board's SQLite file")
    parser.add_argument("--until-idle", type=float, help="stop after this many quiet seconds")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    board = Board(args.db)
    try:
        read = asyncio.run(follow(board, args.until_idle))
        print(json.dumps({"read": read, "by_status": board.by_status()}, indent=2))
    finally:
        board.close()


if __name__ == "__main__":
    main()
