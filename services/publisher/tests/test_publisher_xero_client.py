"""The Xero client against a local HTTP server answering as told: headers, keys and error
translation, over a real connection."""

import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from countersign_platform.outbound import OutboundHttp
from countersign_publisher.adapters.xero_client import (
    Credentials,
    XeroClient,
    publisher_user_agent,
)
from countersign_publisher.adapters.xero_errors import (
    XeroAuthError,
    XeroRateLimited,
    XeroTransient,
    XeroValidationError,
)
from countersign_publisher.adapters.xero_limits import CallScheduler, Limits
from countersign_publisher.adapters.xero_mapping import where_text

ORG = uuid.uuid4()

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class FakeCredentials:
    def __init__(self) -> None:
        self.issued = 0

    async def credentials(
        self, organisation_id: uuid.UUID, *, refresh: bool = False
    ) -> Credentials:
        if refresh or self.issued == 0:
            self.issued += 1
        return Credentials(access_token=f"token-{self.issued}", tenant_id="tenant-1")


@contextlib.asynccontextmanager
async def client(handler: Handler) -> AsyncIterator[XeroClient]:
    """A Xero client whose every call reaches ``handler`` on a local server."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    server = TestServer(app)
    await server.start_server()
    http = OutboundHttp(timeout_s=5)
    try:
        api = str(server.make_url("/api.xro/2.0"))
        yield XeroClient(http, api, FakeCredentials(), CallScheduler(Limits()))
    finally:
        await http.aclose()
        await server.close()


def answer(status: int, body: object = None, **headers: str) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        await request.read()
        if body is None:
            return web.Response(status=status, headers=headers)
        text = body if isinstance(body, str) else json.dumps(body)
        return web.Response(status=status, text=text, headers=headers)

    return handle


async def test_writes_carry_the_token_tenant_idempotency_key_and_user_agent() -> None:
    seen: list[web.Request] = []
    created = answer(200, {"Invoices": [{"InvoiceID": str(uuid.uuid4())}]})

    async def handler(request: web.Request) -> web.StreamResponse:
        seen.append(request)
        assert await request.json() == {"Invoices": [{"Type": "ACCPAY"}]}
        return await created(request)

    async with client(handler) as xero:
        await xero.create_bills(ORG, [{"Type": "ACCPAY"}], "key-1")
    (request,) = seen
    assert request.method == "PUT" and request.path == "/api.xro/2.0/Invoices"
    assert request.query["summarizeErrors"] == "false"
    assert request.query["unitdp"] == "4"  # four places of a unit price, as approved
    assert request.headers["authorization"] == "Bearer token-1"
    assert request.headers["xero-tenant-id"] == "tenant-1"
    assert request.headers["idempotency-key"] == "key-1"
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"] == publisher_user_agent()
    assert publisher_user_agent().startswith("countersign-publisher/")


async def test_a_validation_exception_becomes_xero_validation_error_with_its_messages() -> None:
    body = {
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": "A validation exception occurred",
        "Elements": [{"ValidationErrors": [{"Message": "Account code '999' is archived"}]}],
    }
    async with client(answer(400, body)) as xero:
        with pytest.raises(XeroValidationError) as refused:
            await xero.create_payment(ORG, {}, "key")
    assert refused.value.messages == ["Account code '999' is archived"]


async def test_429_becomes_rate_limited_with_retry_after() -> None:
    limited_by_minute = answer(429, **{"Retry-After": "7", "X-Rate-Limit-Problem": "minute"})
    async with client(limited_by_minute) as xero:
        with pytest.raises(XeroRateLimited) as limited:
            await xero.bill(ORG, uuid.uuid4())
    assert limited.value.retry_after_s == 7 and limited.value.problem == "minute"


async def test_server_errors_and_dropped_connections_are_transient() -> None:
    async with client(answer(503, "Not Available")) as xero:
        with pytest.raises(XeroTransient):
            await xero.bill(ORG, uuid.uuid4())

    async def drop(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.close()  # the connection ends without an answer
        return web.Response()

    async with client(drop) as xero:
        with pytest.raises(XeroTransient) as dropped:
            await xero.attach(
                ORG, "Invoices", uuid.uuid4(), "a.pdf", b"%PDF", "application/pdf", "k"
            )
    assert "could not be reached" in str(dropped.value)


async def test_a_refused_token_is_refreshed_once_then_the_call_is_repeated() -> None:
    tokens: list[str] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        tokens.append(request.headers["authorization"])
        if request.headers["authorization"] == "Bearer token-1":
            expired = {"Title": "Unauthorized", "Detail": "TokenExpired"}
            return await answer(401, expired)(request)
        return await answer(200, {"Invoices": [{"InvoiceID": "x"}]})(request)

    async with client(handler) as xero:
        assert (await xero.bill(ORG, uuid.uuid4()))["InvoiceID"] == "x"
    assert tokens == ["Bearer token-1", "Bearer token-2"]


async def test_a_token_refused_twice_is_an_auth_error() -> None:
    async with client(answer(403, {"Detail": "AuthenticationUnsuccessful"})) as xero:
        with pytest.raises(XeroAuthError):
            await xero.contacts_named(ORG, "Acme")


async def test_attachment_file_names_are_percent_encoded_in_the_path() -> None:
    seen: list[tuple[str, str, bytes]] = []
    attached = answer(200, {"Attachments": [{"AttachmentID": str(uuid.uuid4())}]})

    async def handler(request: web.Request) -> web.StreamResponse:
        seen.append((request.raw_path, request.headers["content-type"], await request.read()))
        return await attached(request)

    async with client(handler) as xero:
        await xero.attach(
            ORG, "Invoices", uuid.uuid4(), "a b%.pdf", b"%PDF", "application/pdf", "k"
        )
    ((path, media_type, content),) = seen
    assert path.endswith("/Attachments/a%20b%25.pdf")
    assert media_type == "application/pdf" and content == b"%PDF"


async def test_amounts_are_read_as_exact_decimals_never_floats() -> None:
    body = '{"Invoices": [{"InvoiceID": "ID", "Total": 4442.0, "SubTotal": 0.1}]}'
    created = answer(200, body.replace("ID", str(uuid.uuid4())))

    async with client(created) as xero:
        (invoice,) = await xero.create_bills(ORG, [{"Type": "ACCPAY"}], "key-1")

    assert (invoice["Total"], invoice["SubTotal"]) == (Decimal("4442.0"), Decimal("0.1"))
    assert str(invoice["SubTotal"] + Decimal("0.2")) == "0.3"


def test_a_where_string_doubles_quotes_and_keeps_backslashes() -> None:
    # Xero's where filter is .NET Dynamic LINQ: "" is a quote, \ is just a character.
    assert where_text('The "Quote" Co') == '"The ""Quote"" Co"'
    assert where_text("A\\B Ltd") == '"A\\B Ltd"'
    assert where_text("Zoë Ltd") == '"Zoë Ltd"'
