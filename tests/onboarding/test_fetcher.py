"""The safe fetcher against a real local HTTP server, with a resolver the test controls."""
import ssl

import pytest
import trustme

from seal_server.onboarding.fetcher import MAX_BYTES, FetchError, SafeFetcher, refusal

from .servers import Site, free_port, stream

PRIVATE = "The domain resolves to a private or reserved address, which we do not fetch from."


def make_fetcher(site, answers, *, allow_loopback=True, **options):
    """A fetcher whose DNS answers come from `answers` and whose http port is the local site's."""
    calls = []

    def resolver(host):
        calls.append(host)
        answer = answers.get(host, [])
        return answer(len(calls)) if callable(answer) else answer
    fetcher = SafeFetcher(resolver=resolver, allow_loopback=allow_loopback,
                          ports={"http": site.port, "https": free_port()}, **options)
    fetcher.calls = calls
    return fetcher


def test_fetches_by_name_and_sends_the_name_as_host(site):
    site.page("/", "<title>hello</title>")
    result = make_fetcher(site, {"shop.example": ["127.0.0.1"]}).get(f"http://shop.example:{site.port}/")
    assert (result.status, result.body, result.truncated) == (200, b"<title>hello</title>", False)
    assert site.requests == [("/", f"shop.example:{site.port}")]


@pytest.mark.parametrize("address, message", [
    ("127.0.0.1", PRIVATE),
    ("169.254.169.254", PRIVATE),
    ("::ffff:127.0.0.1", PRIVATE),
    ("100.64.0.1", PRIVATE),
    ("10.0.0.1", PRIVATE),
    ("192.168.1.1", PRIVATE),
    ("0.0.0.0", PRIVATE),
    ("fe80::1", PRIVATE),
    ("fc00::1", PRIVATE),
    ("fec0::1", PRIVATE),
    ("feff:ffff::1", PRIVATE),
    ("::ffff:fec0:1", PRIVATE),
    ("::1", PRIVATE),
    ("224.0.0.1", PRIVATE),
    ("64:ff9b::a00:1", PRIVATE),
    ("2002:7f00:1::1", "The domain resolves to a tunnelled IPv6 address, which we do not fetch from."),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "The domain resolves to a tunnelled IPv6 address, which we do not fetch from."),
])
def test_non_global_answers_are_refused_before_connecting(site, address, message):
    fetcher = make_fetcher(site, {"evil.example": [address]}, allow_loopback=False)
    with pytest.raises(FetchError) as caught:
        fetcher.get(f"http://evil.example:{site.port}/")
    assert caught.value.message == message
    assert site.requests == []


def test_the_loopback_switch_does_not_open_mapped_or_private_addresses():
    assert refusal("127.0.0.1", allow_loopback=True) is None
    assert refusal("::ffff:127.0.0.1", allow_loopback=True) == PRIVATE
    assert refusal("169.254.169.254", allow_loopback=True) == PRIVATE
    assert refusal("8.8.8.8") is None and refusal("2001:4860:4860::8888") is None


def test_one_private_answer_among_public_ones_is_enough_to_refuse(site):
    fetcher = make_fetcher(site, {"mixed.example": ["8.8.8.8", "10.1.2.3"]}, allow_loopback=False)
    with pytest.raises(FetchError) as caught:
        fetcher.get("http://mixed.example/")
    assert caught.value.message == PRIVATE


def test_it_connects_to_the_address_it_checked(site):
    site.page("/", "ok")
    # a rebinding resolver: the first answer is checked; any later lookup would give a dead address
    answers = {"rebind.example": lambda n: ["127.0.0.1"] if n == 1 else ["127.0.0.2"]}
    fetcher = make_fetcher(site, answers)
    assert fetcher.get(f"http://rebind.example:{site.port}/").body == b"ok"
    assert fetcher.calls == ["rebind.example"]


def test_a_redirect_to_a_private_address_is_refused(site):
    site.redirect("/", f"http://internal.example:{site.port}/admin")
    fetcher = make_fetcher(site, {"shop.example": ["127.0.0.1"], "internal.example": ["10.0.0.1"]})
    with pytest.raises(FetchError) as caught:
        fetcher.get(f"http://shop.example:{site.port}/")
    assert caught.value.message == PRIVATE
    assert [path for path, _ in site.requests] == ["/"]


def test_redirects_to_other_ports_and_schemes_are_refused(site):
    site.redirect("/", "http://shop.example:8080/")
    site.redirect("/ftp", "ftp://shop.example/file")
    fetcher = make_fetcher(site, {"shop.example": ["127.0.0.1"]})
    with pytest.raises(FetchError) as caught:
        fetcher.get(f"http://shop.example:{site.port}/")
    assert caught.value.message == "Only the standard ports (80 for http, 443 for https) are fetched."
    with pytest.raises(FetchError) as caught:
        fetcher.get(f"http://shop.example:{site.port}/ftp")
    assert caught.value.message == "Only http and https addresses are fetched."


def test_five_redirects_are_followed_and_the_sixth_is_refused(site):
    for n in range(1, 12):
        site.redirect(f"/r{n}", f"/r{n - 1}")
    site.page("/r0", "arrived")
    fetcher = make_fetcher(site, {"shop.example": ["127.0.0.1"]})
    assert fetcher.get(f"http://shop.example:{site.port}/r5").body == b"arrived"
    for start in (6, 11):
        site.requests.clear()
        with pytest.raises(FetchError) as caught:
            fetcher.get(f"http://shop.example:{site.port}/r{start}")
        assert caught.value.message == "The site redirected more than %(count)s times."
        assert len(site.requests) == 6


def test_reading_stops_after_256_kb_of_a_10_mb_body(site):
    site.page("/big", stream(10 * 1024 * 1024), content_type="text/plain")
    result = make_fetcher(site, {"shop.example": ["127.0.0.1"]}).get(f"http://shop.example:{site.port}/big")
    assert result.truncated and len(result.body) == MAX_BYTES


def test_a_slow_site_times_out(site):
    site.page("/slow", stream(10, pause=2), content_type="text/plain")
    fetcher = make_fetcher(site, {"shop.example": ["127.0.0.1"]}, read_timeout=0.3)
    with pytest.raises(FetchError) as caught:
        fetcher.get(f"http://shop.example:{site.port}/slow")
    assert caught.value.message == "The site did not answer in time."


def test_unresolvable_and_unreachable_names(site):
    fetcher = make_fetcher(site, {"dead.example": ["127.0.0.1"]})
    with pytest.raises(FetchError) as caught:
        fetcher.get("http://nowhere.example/")
    assert caught.value.message == "The domain does not resolve to any address."
    with pytest.raises(FetchError) as caught:
        fetcher.get("https://dead.example/")
    assert caught.value.message == "We could not connect to the site."


def test_user_info_in_an_address_is_refused(site):
    with pytest.raises(FetchError) as caught:
        make_fetcher(site, {}).get("http://user:pass@shop.example/")
    assert caught.value.message == "Addresses with a user name or password are not fetched."


@pytest.fixture
def tls_site():
    """The local site behind TLS with a certificate for shop.example from a throwaway CA."""
    ca = trustme.CA()
    server = Site()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("shop.example").configure_cert(context)
    server.server.socket = context.wrap_socket(server.server.socket, server_side=True)
    yield server, ca
    server.close()


def test_https_checks_the_certificate_against_the_name_not_the_address(tls_site):
    site, ca = tls_site
    site.page("/", "secure")
    answers = {"shop.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]}
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)

    def fetcher(context):
        return SafeFetcher(resolver=answers.get, allow_loopback=True, ports={"http": free_port(), "https": site.port},
                           ssl_context=context)
    assert fetcher(trusting).get(f"https://shop.example:{site.port}/").body == b"secure"
    with pytest.raises(FetchError) as caught:
        fetcher(trusting).get(f"https://other.example:{site.port}/")
    assert caught.value.message == "The site's HTTPS certificate could not be verified."
    with pytest.raises(FetchError) as caught:
        fetcher(ssl.create_default_context()).get(f"https://shop.example:{site.port}/")
    assert caught.value.message == "The site's HTTPS certificate could not be verified."


def test_headers_trickled_slowly_hit_the_total_time_limit():
    """A byte every 0.3 s never trips the read timeout; the total limit still ends the fetch."""
    import socket
    import threading
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    stop = threading.Event()

    def trickle():
        conn, _ = listener.accept()
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        while not stop.is_set():
            try:
                conn.sendall(b"X")
            except OSError:
                break
            time.sleep(0.3)
        conn.close()

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    fetcher = SafeFetcher(resolver=lambda host: ["127.0.0.1"], allow_loopback=True,
                          ports={"http": port, "https": free_port()}, read_timeout=1.0, total_timeout=1.5)
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetcher.get(f"http://slow.example:{port}/")
    stop.set()
    listener.close()
    assert time.monotonic() - started < 4
    assert caught.value.message == "The site did not answer in time."


def test_a_proof_must_be_served_by_the_domain_itself(site):
    """A home page that redirects elsewhere proves nothing, even if the other page holds the token."""
    from seal_server.onboarding import proof

    site.page("/market", '<meta name="seal-verification" content="TOKEN">')
    site.redirect("/", f"http://market.example:{site.port}/market")
    fetcher = make_fetcher(site, {"shop.example": ["127.0.0.1"], "market.example": ["127.0.0.1"]})
    with pytest.raises(proof.ProofFailed) as caught:
        proof.fetch_page(fetcher, "shop.example")
    assert caught.value.variables == {"host": "market.example", "domain": "shop.example"}
    site.redirect("/", f"http://www.shop.example:{site.port}/market")
    fetcher = make_fetcher(site, {"shop.example": ["127.0.0.1"], "www.shop.example": ["127.0.0.1"]})
    assert proof.fetch_page(fetcher, "shop.example").status == 200
