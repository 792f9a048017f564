"""Which Referer hosts copy detection counts, and how it writes them."""
import pytest

from seal_server.copies.rules import counted_host, normalise_host, shown_host

SHOP, OURS = "shop.example", "seal.test"


@pytest.mark.parametrize("referer, host", [
    ("https://copycat.example/", "copycat.example"),
    ("https://WWW.CopyCat.Example:8443/some/page?user=ali#top", "copycat.example"),  # no port, path or query, no www.
    ("http://copycat.example./", "copycat.example"),
    ("https://blog.copycat.example/", "blog.copycat.example"),
    ("https://فروشگاه.example/", "xn--mgbtj4c7ad63e.example"),  # IDNA
    ("https://xn--mgbtj4c7ad63e.example/", "xn--mgbtj4c7ad63e.example"),
    ("http://localhost:3000/", "localhost"),
    ("http://192.168.1.5/", "192.168.1.5"),
    ("http://[::1]:8000/", "::1"),
    ("https://www.shop.example.evil.example/", "shop.example.evil.example"),
    ("https://shop.example.evil.example/", "shop.example.evil.example"),
])
def test_other_sites_are_counted_by_host_only(referer, host):
    assert counted_host(referer, SHOP, OURS) == host


@pytest.mark.parametrize("referer", [
    None, "", "https://shop.example/", "https://www.shop.example/checkout", "HTTPS://SHOP.EXAMPLE:443/",
    "http://seal.test/registry?q=shop",  # the authority's own pages
    "not a url", "ftp://copycat.example/", "javascript:alert(1)", "https:///nohost", "http://[bad/",
    "https://exa mple.com/", "https://<script>.example/", "https://" + "a" * 64 + ".example/",
    "https://" + ".".join(["abcdefgh"] * 40) + "/",  # longer than any DNS name
])
def test_own_site_absent_and_non_urls_are_not_counted(referer):
    assert counted_host(referer, SHOP, OURS) is None


def test_the_seal_domain_written_in_unicode_is_its_own():
    punycode = normalise_host("فروشگاه.example")
    assert counted_host("https://فروشگاه.example/", punycode, OURS) is None
    assert shown_host(punycode) == "فروشگاه.example"
    assert shown_host("copycat.example") == "copycat.example"


def test_www_alone_is_not_stripped_to_a_bare_suffix():
    assert normalise_host("www.example") == "www.example"
    assert normalise_host("") is None and normalise_host("a" * 300) is None
