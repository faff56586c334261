"""What the QBO adapter reads of a company beside the records it writes: the facts and codes
the mapping needs (``QboCompany``: kept ``ttl_s``, read again when a bill names an account it
does not know, or after ``forget``), and the reference entities of a master-data sync
(``QboSettings``)."""

from __future__ import annotations

import time
from collections.abc import Set
from datetime import datetime
from uuid import UUID

from countersign_publisher.adapters.qbo_client import QboClient, query_text
from countersign_publisher.adapters.qbo_mapping import Json, QboCompany, account_code
from countersign_publisher.adapters.qbo_master_data import QboSettings, accounts_changed_at

__all__ = ["QboCompanies"]


def _option_name(record: Json) -> str:
    return str(record.get("FullyQualifiedName") or record.get("Name") or record["Id"])


class QboCompanies:
    def __init__(self, qbo: QboClient, ttl_s: float = 300.0) -> None:
        self._qbo = qbo
        self._ttl_s = ttl_s
        self._held: dict[UUID, tuple[float, QboCompany]] = {}

    async def company(self, organisation_id: UUID, codes: Set[str]) -> QboCompany:
        """The company as the mapping needs it: kept a while, read again when it names no
        account by one of ``codes``."""
        held = self._held.get(organisation_id)
        fresh = held is not None and time.monotonic() - held[0] < self._ttl_s
        if held is not None and fresh and held[1].knows(codes):
            return held[1]
        org = organisation_id
        preferences = await self._qbo.read(org, "preferences")
        currency_prefs = preferences.get("CurrencyPrefs") or {}
        company = QboCompany(
            organisation_id=org,
            us=await self.us(org),
            multicurrency=bool(currency_prefs.get("MultiCurrencyEnabled")),
            accounts={account_code(a): a for a in await self.all(org, "Account")},
            classes={_option_name(c).casefold(): c for c in await self.all(org, "Class")},
            departments={_option_name(d).casefold(): d for d in await self.all(org, "Department")},
        )
        self._held[organisation_id] = (time.monotonic(), company)
        return company

    def forget(self, organisation_id: UUID) -> None:
        """Drops what is kept of the company: the next ``company`` reads it again."""
        self._held.pop(organisation_id, None)

    async def all(self, organisation_id: UUID, entity: str) -> list[Json]:
        return await self._qbo.query_all(organisation_id, f"select * from {entity}")

    async def us(self, organisation_id: UUID) -> bool:
        """A US company: sales-tax codes TAX/NON on lines, no GlobalTaxCalculation."""
        found = await self._qbo.query(organisation_id, "select * from CompanyInfo")
        return bool(found) and str(found[0].get("Country") or "US") in ("US", "USA")

    async def settings(
        self, organisation_id: UUID, accounts_since: datetime | None
    ) -> tuple[QboSettings, list[Json] | None]:
        """The reference entities of one sync; the accounts (also in the settings) are None
        when none changed after ``accounts_since``."""
        org = organisation_id
        accounts: list[Json] | None = None
        if accounts_since is None or await self._accounts_changed(org, accounts_since):
            accounts = await self.all(org, "Account")
        settings = QboSettings(
            preferences=await self._qbo.read(org, "preferences"),
            us=await self.us(org),
            accounts=accounts or [],
            tax_codes=await self.all(org, "TaxCode"),
            tax_rates=await self.all(org, "TaxRate"),
            classes=await self.all(org, "Class"),
            departments=await self.all(org, "Department"),
            currencies=await self.all(org, "CompanyCurrency"),
        )
        return settings, accounts

    async def _accounts_changed(self, organisation_id: UUID, since: datetime) -> bool:
        """Whether an account changed after ``since`` (then the whole chart is read again, so
        an account made inactive shows as such)."""
        moment = query_text(since.isoformat())
        text = f"select * from Account where MetaData.LastUpdatedTime > {moment}"
        newest = accounts_changed_at(await self._qbo.query_all(organisation_id, text))
        # QBO answers to the millisecond: what changed within it may come back again.
        return newest is not None and newest > since
