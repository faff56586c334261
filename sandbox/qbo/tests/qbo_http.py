"""What the QBO sandbox's tests share: a company with a token, calls on its Accounting API, a
bill to vary, and the code of a Fault."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["OFF_SPEC", "Company", "account_id", "bill", "fault_code"]

# A request a test sends off Intuit's documented shape on purpose, to see the sandbox accept it
# as QBO does, carries this header: the fidelity net (tests/fidelity/qbo.py) leaves it unjudged.
OFF_SPEC = "X-Countersign-Off-Spec"


@dataclass
class Company:
    client: httpx.Client
    realm_id: str
    token: dict[str, Any]

    @classmethod
    def create(cls, client: httpx.Client, spec: dict[str, Any]) -> Company:
        realm = client.post("/_sandbox/companies", json=spec).json()["realm_id"]
        token = client.post("/_sandbox/tokens", json={"realm_id": realm}).json()
        return cls(client, realm, token)

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.token['access_token']}",
            "Accept": "application/json",
        }

    def url(self, suffix: str) -> str:
        return f"/v3/company/{self.realm_id}/{suffix}"

    def get(self, suffix: str, **params: Any) -> httpx.Response:
        return self.client.get(
            self.url(suffix), params={"minorversion": 75, **params}, headers=self.headers
        )

    def post(self, suffix: str, body: Any, **params: Any) -> httpx.Response:
        return self.client.post(
            self.url(suffix), json=body, params={"minorversion": 75, **params}, headers=self.headers
        )

    def query(self, text: str) -> httpx.Response:
        return self.client.post(
            self.url("query"),
            content=text.encode(),
            params={"minorversion": 75},
            headers={**self.headers, "Content-Type": "application/text"},
        )

    def account(self, name: str) -> str:
        return account_id(self, name)


def account_id(company: Company, name: str) -> str:
    found = company.query(f"select * from Account where Name = '{name}'").json()
    return str(found["QueryResponse"]["Account"][0]["Id"])


def bill(company: Company, vendor_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "VendorRef": {"value": vendor_id},
        "TxnDate": "2026-05-01",
        "DocNumber": "SUP-1",
        "Line": [
            {
                "Amount": 100.25,
                "DetailType": "AccountBasedExpenseLineDetail",
                "AccountBasedExpenseLineDetail": {
                    "AccountRef": {"value": company.account("Office Expenses")}
                },
            }
        ],
        **overrides,
    }


def fault_code(answer: httpx.Response) -> str:
    return str(answer.json()["Fault"]["Error"][0]["code"])
