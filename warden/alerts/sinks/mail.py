"""Email over SMTP: STARTTLS (port 587) or implicit TLS (465), then AUTH, then one message.

smtplib blocks, so this runs on a delivery worker thread, never on the proxy's event loop.
If STARTTLS is configured and the server does not offer it, delivery fails: the password is
never sent in the clear as a fallback.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from warden.alerts.config import EmailSinkConfig
from warden.alerts.sinks.base import DeliveryError, Notice, env_secret
from warden.alerts.sinks.payload import facts, headline

__all__ = ["EmailSink", "email_message"]


def email_message(notice: Notice, config: EmailSinkConfig) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"{config.subject_prefix} {headline(notice)}".strip()
    message["From"] = config.from_
    message["To"] = ", ".join(config.to)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=config.from_.rpartition("@")[2] or None)
    message["X-Warden-Alert-Id"] = str(notice.alert["id"])
    width = max(len(label) for label, _ in facts(notice))
    lines = [headline(notice), ""]
    lines += [f"{label.ljust(width)}  {value}" for label, value in facts(notice)]
    lines += ["", "Sent by Egress Warden. Acknowledge or resolve it in the Warden dashboard."]
    message.set_content("\n".join(lines) + "\n")
    return message


class EmailSink:
    def __init__(self, name: str, config: EmailSinkConfig) -> None:
        self.name = name
        self.config = config

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.config.ca_file)

    def send(self, notice: Notice) -> None:
        cfg = self.config
        password = env_secret(cfg.password_env, "SMTP password") if cfg.password_env else None
        message = email_message(notice, cfg)
        try:
            smtp: smtplib.SMTP
            if cfg.ssl:
                smtp = smtplib.SMTP_SSL(
                    cfg.host, cfg.port, timeout=cfg.timeout_s, context=self._tls()
                )
            else:
                smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_s)
            with smtp:
                smtp.ehlo()
                if cfg.starttls:
                    smtp.starttls(context=self._tls())
                    smtp.ehlo()
                if cfg.username:
                    smtp.login(cfg.username, password or "")
                smtp.send_message(message)
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError) as e:
            raise DeliveryError(f"SMTP {cfg.host}: {_describe(e)}", permanent=True) from None
        except smtplib.SMTPRecipientsRefused as e:
            raise DeliveryError(
                f"SMTP {cfg.host}: recipients refused: {', '.join(e.recipients)}", permanent=True
            ) from None
        except ssl.SSLCertVerificationError as e:
            raise DeliveryError(
                f"SMTP {cfg.host}: certificate not trusted: {e.verify_message}", permanent=True
            ) from None
        except (smtplib.SMTPException, OSError) as e:
            raise DeliveryError(f"SMTP {cfg.host}:{cfg.port}: {_describe(e)}") from None


def _describe(e: Exception) -> str:
    if isinstance(e, smtplib.SMTPResponseException):
        text = e.smtp_error.decode("utf-8", "replace") if isinstance(e.smtp_error, bytes) else ""
        return f"{e.smtp_code} {text}".strip()
    return f"{type(e).__name__}: {e}"
