"""SMS backends: the outbox (readable in the web UI, for development and demos) and Kavenegar's REST API."""
import requests

from ..marks import N_


class DeliveryError(Exception):
    """A message could not be handed to its provider; str() says why, for operators."""

    public_message = N_("We could not send the message just now; please try again in a few minutes.")


class OutboxSms:
    """Delivers nothing: the message stays in the outbox, where /outbox shows it."""

    name = "outbox"

    def send(self, mobile, text):
        return None


class KavenegarSms:
    """Kavenegar's `sms/send` REST call: https://api.kavenegar.com/v1/{API-KEY}/sms/send.json."""

    name = "kavenegar"

    def __init__(self, api_key, sender=None, base_url="https://api.kavenegar.com", timeout=10, session=None):
        if not api_key:
            raise ValueError("Kavenegar needs an API key")
        self.api_key = api_key
        self.sender = sender
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()

    def send(self, mobile, text):
        """Send `text` to `mobile`; returns Kavenegar's message id or raises DeliveryError."""
        data = {"receptor": mobile, "message": text}
        if self.sender:
            data["sender"] = self.sender
        url = f"{self.base_url}/v1/{self.api_key}/sms/send.json"
        try:
            response = self.session.post(url, data=data, timeout=(self.timeout, self.timeout))
        except requests.Timeout:
            raise DeliveryError(f"Kavenegar did not answer within {self.timeout} s") from None
        except requests.RequestException as error:
            raise DeliveryError(f"Kavenegar could not be reached: {type(error).__name__}") from None
        try:
            payload = response.json()
            status = payload["return"]["status"]
            message = payload["return"].get("message", "")
        except (ValueError, KeyError, TypeError):
            raise DeliveryError(
                f"Kavenegar answered HTTP {response.status_code} with a body that is not its JSON") from None
        if response.status_code != 200 or status != 200:
            raise DeliveryError(f"Kavenegar refused the message: status {status}: {message}")
        entries = payload.get("entries") or []
        if not entries or not isinstance(entries, list) or "messageid" not in entries[0]:
            raise DeliveryError("Kavenegar accepted the call but returned no message id")
        return str(entries[0]["messageid"])


def backend_from_config(config):
    if config["SEAL_SMS_BACKEND"] == "kavenegar":
        return KavenegarSms(config["SEAL_KAVENEGAR_API_KEY"], config["SEAL_KAVENEGAR_SENDER"],
                            config["SEAL_KAVENEGAR_URL"], config["SEAL_NOTIFY_TIMEOUT"])
    return OutboxSms()
