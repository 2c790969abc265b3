"""Alert delivery by webhook and e-mail, on its own thread so a slow SMTP never stalls ingest."""

from __future__ import annotations

import json
import logging
import queue
import smtplib
import threading
from dataclasses import asdict, dataclass
from email.message import EmailMessage

import httpx

from fleet_manager.settings import FleetSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Notice:
    kind: str  # opened, escalated, resolved
    alert_id: int
    terminal_id: str
    office: str | None
    rule: str
    severity: str
    detail: str | None
    at: str

    def subject(self) -> str:
        return (
            f"[Sijill fleet] {self.kind.upper()} {self.severity} {self.rule} "
            f"on {self.terminal_id} ({self.office or '-'})"
        )

    def body(self) -> str:
        return (
            f"Alert #{self.alert_id} {self.kind} at {self.at}\n"
            f"Terminal: {self.terminal_id}\nOffice: {self.office or '-'}\n"
            f"Rule: {self.rule} ({self.severity})\nDetail: {self.detail or '-'}\n"
        )


class Notifier:
    def __init__(self, settings: FleetSettings) -> None:
        self.settings = settings
        self.queue: queue.Queue[Notice | None] = queue.Queue(maxsize=10_000)
        self.sent = 0
        self.failed = 0
        self._thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        s = self.settings
        return bool(s.webhook_url or (s.smtp_host and (s.mail_to or s.escalation_mail_to)))

    def start(self) -> None:
        if self.enabled:
            self._thread = threading.Thread(target=self._run, name="fleet-notify", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self.queue.put(None)
            self._thread.join(10)

    def notify(self, notice: Notice) -> None:
        if not self.enabled:
            return
        try:
            self.queue.put_nowait(notice)
        except queue.Full:
            self.failed += 1
            log.error("alert notification queue full: %s dropped", notice.alert_id)

    def _run(self) -> None:
        with httpx.Client(timeout=5.0) as http:
            while (notice := self.queue.get()) is not None:
                self._deliver(http, notice)

    def _deliver(self, http: httpx.Client, notice: Notice) -> None:
        s = self.settings
        if s.webhook_url:
            for attempt in range(3):
                try:
                    http.post(s.webhook_url, json=asdict(notice)).raise_for_status()
                    self.sent += 1
                    break
                except httpx.HTTPError as exc:
                    log.warning("webhook attempt %d failed: %s", attempt + 1, exc)
            else:
                self.failed += 1
        recipients = list(s.mail_to)
        if notice.kind == "escalated":
            recipients += [r for r in s.escalation_mail_to if r not in recipients]
        if s.smtp_host and recipients:
            try:
                self._mail(notice, recipients)
                self.sent += 1
            except (OSError, smtplib.SMTPException) as exc:
                self.failed += 1
                log.warning("alert mail failed: %s", exc)

    def _mail(self, notice: Notice, recipients: list[str]) -> None:
        s = self.settings
        msg = EmailMessage()
        msg["From"] = s.mail_from
        msg["To"] = ", ".join(recipients)
        msg["Subject"] = notice.subject()
        msg.set_content(notice.body())
        msg.add_attachment(
            json.dumps(asdict(notice)).encode(),
            maintype="application",
            subtype="json",
            filename="alert.json",
        )
        assert s.smtp_host is not None
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=10) as smtp:
            if s.smtp_starttls:
                smtp.starttls()
            if s.smtp_username and s.smtp_password:
                smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
            smtp.send_message(msg)
