"""Active ISO 4217 currency codes (List One, "current currency & funds").

Kept: every code that denominates money, including the funds codes (BOV, CHE, CHW, CLF, COU,
MXV, USN, UYI, UYW). Left out: the codes ISO lists with no minor unit because they are not money
one can be invoiced in (precious metals XAU/XAG/XPD/XPT, bond-market units XBA-XBD, XDR, XSU,
XUA, the test code XTS and "no currency" XXX), and withdrawn codes (HRK, CUC, MRO, STD, VEF,
ZWL, ANG — replaced by XCG on 2025-03-31).

When ISO publishes an amendment, edit this table: adding a code is safe; removing one makes
ingest refuse bills in that currency, so remove it only once Dext no longer sends it. The JSON
Schemas do not list these codes (only the `^[A-Z]{3}$` shape), so an edit here never changes a
published schema.
"""

_LIST_ONE = """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN
    BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP
    ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR
    ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA
    MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK
    PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN
    SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES
    VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
"""

ISO_CURRENCY_CODES: frozenset[str] = frozenset(_LIST_ONE.split())

# ISO 4217's minor unit ("exponent") of every code above that does not have the usual two.
_NO_MINOR_UNIT = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_PLACES = "BHD IQD JOD KWD LYD OMR TND"
_FOUR_PLACES = "CLF UYW"
_MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(_NO_MINOR_UNIT.split(), 0),
    **dict.fromkeys(_THREE_PLACES.split(), 3),
    **dict.fromkeys(_FOUR_PLACES.split(), 4),
}


def is_iso_currency(code: str) -> bool:
    """True when `code` is an active ISO 4217 currency code, e.g. "GBP" (case-sensitive)."""
    return code in ISO_CURRENCY_CODES


def minor_units(code: str) -> int:
    """How many decimal places an amount in `code` is written with (ISO 4217's minor unit):
    2 for GBP, 0 for JPY, 3 for KWD."""
    return _MINOR_UNITS.get(code, 2)
