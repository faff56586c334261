"""The Xero client against ``httpx.MockTransport``: headers, keys and error translation."""

import uuid
from collections.abc import Callable

import httpx
import pytest
from countersign_publisher.xero_client import Credentials, XeroClient
from countersign_publisher.xero_errors import (
    XeroAuthError,
    XeroRateLimited,
    XeroTransient,
    XeroValidationError,
)
from countersign_publisher.xero_limits import CallScheduler, Limits

API = "https://xero.test/api.xro/2.0"
ORG = uuid.uuid4()


class FakeCredentials:
    def __init__(self) -> None:
        self.issued = 0

    async def credentials(
        self, organisation_id: uuid.UUID, *, refresh: bool = False
    ) -> Credentials:
        if refresh or self.issued == 0:
            self.issued += 1
        return Credentials(access_token=f"token-{self.issued}", tenant_id="tenant-1")


def client(
    handler: Callable[[httpx.Request], httpx.Response],
) -> tuple[XeroClient, FakeCredentials]:
    creds = FakeCredentials()
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return XeroClient(http, API, creds, CallScheduler(Limits())), creds


async def test_writes_carry_the_token_tenant_and_idempotency_key() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"Invoices": [{"InvoiceID": str(uuid.uuid4())}]})

    xero, _ = client(handler)
    await xero.create_bills(ORG, [{"Type": "ACCPAY"}], "key-1")
    (request,) = seen
    assert request.method == "PUT" and request.url.path == "/api.xro/2.0/Invoices"
    assert request.url.params["summarizeErrors"] == "false"
    assert request.headers["authorization"] == "Bearer token-1"
    assert request.headers["xero-tenant-id"] == "tenant-1"
    assert request.headers["idempotency-key"] == "key-1"
    assert request.headers["accept"] == "application/json"


async def test_a_validation_exception_becomes_xero_validation_error_with_its_messages() -> None:
    body = {
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": "A validation exception occurred",
        "Elements": [{"ValidationErrors": [{"Message": "Account code '999' is archived"}]}],
    }
    xero, _ = client(lambda request: httpx.Response(400, json=body))
    with pytest.raises(XeroValidationError) as refused:
        await xero.create_payment(ORG, {}, "key")
    assert refused.value.messages == ["Account code '999' is archived"]


async def test_429_becomes_rate_limited_with_retry_after() -> None:
    headers = {"Retry-After": "7", "X-Rate-Limit-Problem": "minute"}
    xero, _ = client(lambda request: httpx.Response(429, headers=headers))
    with pytest.raises(XeroRateLimited) as limited:
        await xero.bill(ORG, uuid.uuid4())
    assert limited.value.retry_after_s == 7 and limited.value.problem == "minute"


async def test_server_errors_and_dropped_connections_are_transient() -> None:
    xero, _ = client(lambda request: httpx.Response(503, text="Not Available"))
    with pytest.raises(XeroTransient):
        await xero.bill(ORG, uuid.uuid4())

    def drop(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("server disconnected", request=request)

    xero, _ = client(drop)
    with pytest.raises(XeroTransient):
        await xero.attach(ORG, "Invoices", uuid.uuid4(), "a.pdf", b"%PDF", "application/pdf", "k")


async def test_a_refused_token_is_refreshed_once_then_the_call_is_repeated() -> None:
    tokens: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        tokens.append(request.headers["authorization"])
        if request.headers["authorization"] == "Bearer token-1":
            return httpx.Response(401, json={"Title": "Unauthorized", "Detail": "TokenExpired"})
        return httpx.Response(200, json={"Invoices": [{"InvoiceID": "x"}]})

    xero, _ = client(handler)
    assert (await xero.bill(ORG, uuid.uuid4()))["InvoiceID"] == "x"
    assert tokens == ["Bearer token-1", "Bearer token-2"]


async def test_a_token_refused_twice_is_an_auth_error() -> None:
    xero, _ = client(
        lambda request: httpx.Response(403, json={"Detail": "AuthenticationUnsuccessful"})
    )
    with pytest.raises(XeroAuthError):
        await xero.contacts_named(ORG, "Acme")


async def test_attachment_file_names_are_percent_encoded_in_the_path() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"Attachments": [{"AttachmentID": str(uuid.uuid4())}]})

    xero, _ = client(handler)
    await xero.attach(ORG, "Invoices", uuid.uuid4(), "a b.pdf", b"%PDF", "application/pdf", "k")
    assert seen[0].url.raw_path.endswith(b"/Attachments/a%20b.pdf")
    assert seen[0].headers["content-type"] == "application/pdf" and seen[0].content == b"%PDF"
