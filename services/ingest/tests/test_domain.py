from countersign_ingest.domain import content_digest


def test_same_content_in_another_key_order_is_the_same_publication() -> None:
    a = {"supplier": {"name": "Acme"}, "total": "12.30", "lines": [{"q": "1"}]}
    b = {"lines": [{"q": "1"}], "total": "12.30", "supplier": {"name": "Acme"}}
    assert content_digest(a) == content_digest(b)


def test_any_amended_value_is_a_new_publication() -> None:
    a = {"supplier": {"name": "Acme"}, "total": "12.30"}
    assert content_digest(a) != content_digest({**a, "total": "12.31"})
