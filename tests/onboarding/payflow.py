"""Walk an application through its steps and pay invoices at the sandbox bank, over HTTP."""
import re
from urllib.parse import urlsplit

from tests.accounts.conftest import csrf_from

from .conftest import BUSINESS, NATURAL, post_form


def path_of(url):
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def pay_at_sandbox(client, invoice_path, outcome="paid"):
    """From the invoice page to the bank and back through the callback; returns the final page's HTML."""
    page = client.get(invoice_path)
    to_bank = client.post(path_of(invoice_path) + "/pay", data={"csrf_token": csrf_from(page)})
    assert to_bank.status_code == 302, to_bank.get_data(as_text=True)
    bank = path_of(to_bank.headers["Location"])
    back = client.post(bank, data={"csrf_token": csrf_from(client.get(bank)), "outcome": outcome})
    return client.get(path_of(back.headers["Location"]), follow_redirects=True).get_data(as_text=True)


def invoice_number(location):
    return re.search(r"/billing/invoices/([0-9-]+)", location).group(1)
