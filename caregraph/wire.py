"""JSON as it arrives from outside, read safely: nesting is bounded before it is decoded.

Python's decoder recurses once per level, so a text of a hundred thousand `[` ends in a
RecursionError. No message of ours nests more than a few levels; anything deeper than
`JSON_DEPTH_MAX` is refused as not JSON we accept. Used by the API's parser and by the
sockets.
"""

from __future__ import annotations

import json
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

JSON_DEPTH_MAX = 32
_OPENERS = frozenset(b"[{")
_CLOSERS = frozenset(b"]}")


def json_depth_exceeds(raw: bytes, limit: int = JSON_DEPTH_MAX) -> bool:
    """Whether the JSON text nests arrays or objects deeper than `limit` (strings skipped)."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in _OPENERS:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSERS:
            depth -= 1
    return False


def json_loads_bounded(text: str | bytes) -> Any:
    """`json.loads`, raising ValueError (not RecursionError) for text nested too deep."""
    raw = text.encode() if isinstance(text, str) else text
    if json_depth_exceeds(raw):
        raise ValueError(f"JSON nested more than {JSON_DEPTH_MAX} levels deep")
    return json.loads(raw)


class BoundedJsonConsumer(AsyncJsonWebsocketConsumer):
    """A JSON socket that drops a frame it cannot read (not JSON, or nested too deep)
    rather than failing on it; the connection stays open."""

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        return json_loads_bounded(text_data)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if text_data is None:
            return
        try:
            content = await self.decode_json(text_data)
        except ValueError:
            return
        await self.receive_json(content)
