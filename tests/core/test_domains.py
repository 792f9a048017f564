import pytest

from seal_server.domains import DomainError, normalize_domain


@pytest.mark.parametrize("text, domain", [
    ("shop.ir", "shop.ir"), ("http://Shop.IR/path", "shop.ir"), ("https://shop.ir:8443/x?y", "shop.ir"),
    (" SHOP.ir. ", "shop.ir"), ("www.shop.ir", "shop.ir"), ("shop۱.ir", "shop1.ir"),
    ("shop.ir/<script>", "shop.ir"),
])
def test_normalised(text, domain):
    assert normalize_domain(text) == domain


@pytest.mark.parametrize("text", ["", "localhost", "10.0.0.1", "۱۰.۰.۰.۱", "127.1", "1.2.3", "a..b", "-a.ir",
                                  "shop", "http://", "[::1]", "x" * 64 + ".ir", "sub.localhost"])
def test_refused(text):
    with pytest.raises(DomainError):
        normalize_domain(text)


def test_local_names_when_allowed():
    assert normalize_domain("127.0.0.1", allow_local=True) == "127.0.0.1"
    assert normalize_domain("localhost", allow_local=True) == "localhost"


def test_persian_names_become_punycode():
    import idna

    domain = normalize_domain("فروشگاه.ایران")
    assert domain.startswith("xn--") and idna.decode(domain) == "فروشگاه.ایران"
