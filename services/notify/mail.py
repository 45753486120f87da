"""Notification e-mail over SMTP with the standard library's smtplib (a well-kept client that needs no
dependency); host, port, sender and credentials from settings, the password a SecretStr read only here."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from services.settings import Settings


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def configured(self) -> bool:
        return bool(self.settings.smtp_host)

    def send(self, to: str, subject: str, body: str) -> None:
        """One message; raises OSError / smtplib.SMTPException on failure (the caller records it)."""
        s = self.settings
        message = EmailMessage()
        message["From"] = s.smtp_sender
        message["To"] = to
        message["Subject"] = " ".join(subject.split())[:200]  # one line: no header can be smuggled in
        message.set_content(body)
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_s) as smtp:
            if s.smtp_starttls:
                smtp.starttls()
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
            smtp.send_message(message)
