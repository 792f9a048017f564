"""Email backends: the outbox (readable in the web UI) and plain SMTP."""
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from .sms import DeliveryError


class OutboxEmail:
    """Delivers nothing: the message stays in the outbox, where /outbox shows it."""

    name = "outbox"

    keep_open = False

    def send(self, to, subject, body, *, html=None, headers=None):
        return None

    def close(self):
        pass


class SmtpEmail:
    """Hands each message to an SMTP server (STARTTLS and login when configured)."""

    name = "smtp"

    def __init__(self, host, port, sender, *, user=None, password=None, starttls=False, timeout=10,
                 tls=False, ssl_context=None):
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.starttls, self.timeout = user, password, starttls, timeout
        self.tls, self.ssl_context = tls, ssl_context  # tls: implicit TLS (port 465); starttls: upgrade on 587
        self._client = None
        self.keep_open = False  # a worker's batch keeps one connection and close()s it at the end

    def _connection(self):
        if self._client is None:
            connect = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
            options = {"context": self.ssl_context} if self.tls else {}
            client = connect(self.host, self.port, timeout=self.timeout, **options)
            try:
                if self.starttls and not self.tls:
                    client.starttls(context=self.ssl_context)
                if self.user:
                    client.login(self.user, self.password or "")
            except (smtplib.SMTPException, OSError):
                client.close()
                raise
            self._client = client
        return self._client

    def _reset(self):
        try:
            self._client.rset()
        except (smtplib.SMTPException, OSError, AttributeError):
            self.close()

    def close(self):
        if self._client is not None:
            try:
                self._client.quit()
            except (smtplib.SMTPException, OSError):
                self._client.close()
            self._client = None

    def send(self, to, subject, body, *, html=None, headers=None):
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message_id = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message["Message-ID"] = message_id
        for name, value in (headers or {}).items():
            message[name] = value
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
        try:
            try:
                self._connection().send_message(message)
            except smtplib.SMTPServerDisconnected:
                self.close()  # a kept connection the server dropped: one fresh try
                self._connection().send_message(message)
        except smtplib.SMTPRecipientsRefused:
            self._reset()
            raise DeliveryError(f"the mail server refused the address {to}") from None
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise DeliveryError(f"the mail server {self.host}:{self.port} failed: {type(error).__name__}: {error}") from None
        finally:
            if not self.keep_open:
                self.close()
        return message_id


def backend_from_config(config):
    if config["SEAL_EMAIL_BACKEND"] == "smtp":
        return SmtpEmail(config["SEAL_SMTP_HOST"], config["SEAL_SMTP_PORT"], config["SEAL_MAIL_FROM"],
                         user=config["SEAL_SMTP_USER"], password=config["SEAL_SMTP_PASSWORD"],
                         starttls=config["SEAL_SMTP_STARTTLS"], timeout=config["SEAL_NOTIFY_TIMEOUT"],
                         tls=config["SEAL_SMTP_TLS"])
    return OutboxEmail()
