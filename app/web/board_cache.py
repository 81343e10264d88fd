"""Rendered boards kept per process: an unchanged board is answered without rendering it.

The key holds everything a rendering depends on (app/web/board.py builds it); the entry
holds the HTML with a placeholder where each form's CSRF token goes, because the token
belongs to the session asking, not to the board. A cached board also expires at the first
due time it showed as still to come, when a card turns red within the key's minute.
"""

import secrets
from collections import OrderedDict
from datetime import datetime
from threading import Lock

# Random per process, so no text a user typed onto a card can be taken for it.
CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"


class RenderedBoards:
    """A least-recently-used map of board keys to rendered HTML, bounded in entries and in
    characters (a 500-card board is close to a megabyte)."""

    def __init__(self, size: int, chars: int = 32 * 1024 * 1024):
        self.size = size
        self.chars = chars
        self._held = 0
        self._entries: OrderedDict[tuple, tuple[str, datetime | None]] = OrderedDict()
        # Gunicorn's threads of one worker share the map.
        self._lock = Lock()

    def get(self, key: tuple, now: datetime) -> str | None:
        """The HTML kept for `key`, unless there is none or it expired before `now`."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            html, valid_until = entry
            if valid_until is not None and now >= valid_until:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return html

    def put(self, key: tuple, html: str, valid_until: datetime | None) -> None:
        """Keep `html` for `key` until `valid_until` (or until the key itself changes)."""
        if self.size <= 0 or len(html) > self.chars:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (html, valid_until)
            self._held += len(html)
            while len(self._entries) > self.size or self._held > self.chars:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: tuple) -> None:
        html, _ = self._entries.pop(key)
        self._held -= len(html)

    def __len__(self) -> int:
        return len(self._entries)
