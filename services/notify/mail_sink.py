"""The demo's SMTP sink: a real SMTP server (aiosmtpd) on a free local port that files every message it
receives in a Maildir (aiosmtpd's own Mailbox handler), so `make demo` can deliver its notifications by
e-mail and say where to read them — with any mail reader, or `ls <home>/mail/new`."""

from __future__ import annotations

import socket
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox


class MailSink:
    def __init__(self, mail_dir: Path, host: str = "127.0.0.1") -> None:
        self.mail_dir = mail_dir
        self.host = host
        with socket.socket() as probe:
            probe.bind((host, 0))
            self.port = int(probe.getsockname()[1])
        mail_dir.parent.mkdir(parents=True, exist_ok=True)
        self._controller = Controller(Mailbox(mail_dir), hostname=host, port=self.port)

    def start(self) -> MailSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
