"""A real SMTP server for tests: a local port, served from a thread of the test process.

Enough of RFC 5321 for Django and smtplib: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
As a real server does, it keeps a message only when its DATA reaches the final "." and it
answers 250; a client that goes away before then leaves nothing behind. A test can make it
stall at DATA, answer DATA late, refuse recipients, fail the content, or never greet, and
can stop it (the port closes, as a mail server that is down) and start it again.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage

from tests.services import free_port


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.content, policy=email.policy.default)  # type: ignore[return-value]

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())


@dataclass
class Behaviour:
    """What the server does next; each count is used up as it happens."""

    stall_data: int = 0  # never answer the next N DATA commands
    stall_after_content: int = 0  # take the next N messages, then never say "250"
    content_taken: threading.Event = field(default_factory=threading.Event)
    delay_data: int = 0  # answer the next N DATA commands only after `delay_seconds`
    delay_seconds: float = 0.0
    rcpt_reply: str = ""  # e.g. "550 5.1.1 No such mailbox"
    data_reply: str = ""  # after the content, e.g. "451 4.3.0 Try again later"
    greet: bool = True
    data_started: threading.Event = field(default_factory=threading.Event)


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.behaviour = Behaviour()
        self.connections = 0
        self._received: list[Received] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def with_message_id(self, message_id: str) -> list[Received]:
        return [r for r in self.received if r.message_id == message_id]

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.received) >= count:
                return self.received
            time.sleep(0.05)
        raise AssertionError(f"{count} message(s) expected, {len(self.received)} arrived")

    def start(self) -> None:
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(5)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(5)

    def close(self) -> None:
        self.stop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def _stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()
        if server is not None:
            await server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        self.connections += 1

        async def reply(line: str) -> None:
            writer.write(line.encode() + b"\r\n")
            await writer.drain()

        try:
            if not self.behaviour.greet:
                await reader.read()  # until the client gives up
                return
            await reply("220 caregraph-test ESMTP")
            sender, recipients = "", list[str]()
            while line := await reader.readline():
                command = line.decode("utf-8", "replace").strip()
                verb = command[:4].upper()
                if verb in {"EHLO", "HELO"}:
                    await reply("250 caregraph-test")
                elif verb == "MAIL":
                    sender, recipients = _address(command), []
                    await reply("250 2.1.0 OK")
                elif verb == "RCPT":
                    if self.behaviour.rcpt_reply:
                        await reply(self.behaviour.rcpt_reply)
                    else:
                        recipients.append(_address(command))
                        await reply("250 2.1.5 OK")
                elif verb == "DATA":
                    if not await self._data(reader, reply, sender, recipients):
                        return
                elif verb == "RSET":
                    sender, recipients = "", []
                    await reply("250 2.0.0 OK")
                elif verb == "NOOP":
                    await reply("250 2.0.0 OK")
                elif verb == "QUIT":
                    await reply("221 2.0.0 Bye")
                    return
                else:
                    await reply("502 5.5.2 Command not recognised")
        except (ConnectionError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _data(self, reader, reply, sender: str, recipients: list[str]) -> bool:  # type: ignore[no-untyped-def]
        """One DATA command; False when the connection is over."""
        behaviour = self.behaviour
        behaviour.data_started.set()
        if behaviour.stall_data > 0:
            behaviour.stall_data -= 1
            await reader.read()  # no answer, ever: until the client dies or hangs up
            return False
        if behaviour.delay_data > 0:
            behaviour.delay_data -= 1
            await asyncio.sleep(behaviour.delay_seconds)
        await reply("354 End data with <CR><LF>.<CR><LF>")
        lines: list[bytes] = []
        while True:
            line = await reader.readline()
            if not line.endswith(b"\n"):
                return False  # gone before the final ".": the transaction is discarded
            if line == b".\r\n":
                break
            lines.append(line[1:] if line.startswith(b"..") else line)
        if behaviour.data_reply:
            await reply(behaviour.data_reply)
            return True
        with self._lock:
            self._received.append(Received(sender, tuple(recipients), b"".join(lines)))
        if behaviour.stall_after_content > 0:
            behaviour.stall_after_content -= 1
            behaviour.content_taken.set()
            await reader.read()  # the message is ours; the sender never hears so
            return False
        await reply("250 2.0.0 Queued")
        return True


def _address(command: str) -> str:
    _verb, _colon, rest = command.partition(":")
    return rest.strip().split(" ")[0].strip("<>")
