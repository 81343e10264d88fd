"""Rendered boards kept per process: an unchanged board is answered without rendering it.

The key holds everything a rendering depends on (app/web/board.py builds it); the entry
holds the HTML with a placeholder where each form's CSRF token goes, because the token
belongs to the session asking, not to the board. The HTML is kept encoded and cut at the
placeholders, so that answering it is one join of the pieces round the token (a
`str.replace` over a megabyte, then encoding it, cost more than the rest of the answer). A
cached board also expires at the first due time it showed as still to come, when a card
turns red within the key's minute.
"""

import secrets
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from threading import Lock

# Random per process, so no text a user typed onto a card can be taken for it.
CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"
_PLACEHOLDER = CSRF_PLACEHOLDER.encode()


@dataclass(frozen=True, slots=True)
class KeptBoard:
    """A rendered board as UTF-8 pieces, the CSRF placeholder cut out between them."""

    pieces: tuple[bytes, ...]

    @classmethod
    def of(cls, html: str) -> "KeptBoard":
        """Encode and cut `html` at each placeholder, once, when it is rendered."""
        return cls(tuple(html.encode().split(_PLACEHOLDER)))

    @property
    def size(self) -> int:
        return sum(map(len, self.pieces))

    def filled(self, token: str, before: bytes = b"", after: bytes = b"") -> bytes:
        """The board with `token` in every form, between `before` and `after` (the page round
        it): one copy of the megabyte, the small end pieces joined to their neighbours."""
        pieces = list(self.pieces)
        pieces[0] = before + pieces[0]
        pieces[-1] = pieces[-1] + after
        return token.encode().join(pieces)


@dataclass(frozen=True, slots=True)
class PageRound:
    """The page round a board (app/web/chrome.py): before the board and after it."""

    before: KeptBoard
    after: KeptBoard

    @property
    def size(self) -> int:
        return self.before.size + self.after.size

    def filled(self, token: str) -> tuple[bytes, bytes]:
        """The page before the board and after it, with `token` in their forms."""
        return self.before.filled(token), self.after.filled(token)


class RenderedBoards:
    """A least-recently-used map of keys to rendered boards (or page rounds), bounded in
    entries and in bytes (a 500-card board is close to a megabyte)."""

    def __init__(self, size: int, chars: int = 32 * 1024 * 1024):
        self.size = size
        self.chars = chars
        self._held = 0
        self._entries: OrderedDict[tuple, tuple[KeptBoard | PageRound, datetime | None]] = (
            OrderedDict()
        )
        # Gunicorn's threads of one worker share the map.
        self._lock = Lock()

    def get(self, key: tuple, now: datetime | None) -> KeptBoard | PageRound | None:
        """The board kept for `key`, unless there is none or it expired before `now` (None
        for a page round, which never expires)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            board, valid_until = entry
            if valid_until is not None and now >= valid_until:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return board

    def put(self, key: tuple, board: KeptBoard | PageRound, valid_until: datetime | None) -> None:
        """Keep `board` for `key` until `valid_until` (or until the key itself changes)."""
        size = board.size
        if self.size <= 0 or size > self.chars:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (board, valid_until)
            self._held += size
            while len(self._entries) > self.size or self._held > self.chars:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: tuple) -> None:
        board, _ = self._entries.pop(key)
        self._held -= board.size

    def __len__(self) -> int:
        return len(self._entries)
