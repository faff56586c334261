import uuid

from countersign_platform.links import sign_document_link, verify_document_link

SECRET = b"link-secret"


def parts(link: str) -> tuple[uuid.UUID, int, str]:
    path, query = link.split("?")
    fields = dict(pair.split("=") for pair in query.split("&"))
    return uuid.UUID(path.rsplit("/", 1)[1]), int(fields["expires"]), fields["signature"]


def test_a_fresh_link_opens_its_document() -> None:
    document = uuid.uuid4()
    assert verify_document_link(SECRET, *parts(sign_document_link(SECRET, document)))


def test_an_expired_link_is_refused() -> None:
    document, expires, signature = parts(sign_document_link(SECRET, uuid.uuid4(), now=1000))
    assert not verify_document_link(SECRET, document, expires, signature, now=2000)


def test_a_link_opens_no_other_document_and_no_later_expiry() -> None:
    document, expires, signature = parts(sign_document_link(SECRET, uuid.uuid4()))
    assert not verify_document_link(SECRET, uuid.uuid4(), expires, signature)
    assert not verify_document_link(SECRET, document, expires + 3600, signature)
    assert not verify_document_link(b"other-secret", document, expires, signature)
