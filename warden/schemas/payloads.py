"""Base64 payloads inside a JSON body (images, audio, documents), read by what they decode to.

A string is a payload when it is a `data:` URL, or base64 under a key that carries files
(`data`, `file_data`, `b64_json`, `bytes`, `audio`, ...). It is decoded and read by its content
(files.py), never by the type it declares: media is known harmless, text and documents are
scanned, anything else is unreadable and goes by the policy's `dlp.unreadable`. The one
exception is raw audio (PCM, G.711), which has no header to recognise it by: it counts as media
when the request declares a raw audio format for it, or sends it as realtime `audio`.
A string that does not decode is not a payload: it is scanned as text.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import unquote_to_bytes

from warden.schemas.files import FileText, read_file

__all__ = ["Payload", "PayloadKind", "declared_media", "may_be_payload", "read_payload"]

# Keys under which APIs send files as base64 (Anthropic and Gemini `data`, OpenAI `file_data`,
# `b64_json` and realtime `audio`, Bedrock Converse `bytes`).
_FILE_KEYS = frozenset({"data", "file_data", "b64_json", "bytes", "audio", "image", "file"})
# Shorter base64 is more likely a word or an id than a file; it is scanned as text instead.
_MIN_BASE64 = 64
# Line breaks are allowed (MIME wraps base64 at 76 characters), spaces are not: prose has them.
_BASE64 = re.compile(r"[A-Za-z0-9+/=\r\n]+|[A-Za-z0-9_\-=\r\n]+")
_WHITESPACE = re.compile(r"[\r\n]+")
_MEDIA_KEYS = ("mimeType", "mime_type", "media_type", "mediaType", "content_type", "contentType")
# Audio formats without a header: nothing in the bytes says they are audio.
_RAW_AUDIO = ("audio/pcm", "audio/l16", "audio/raw", "audio/x-raw", "audio/basic", "audio/g711")
_RAW_AUDIO_FORMATS = {"pcm16": "audio/pcm", "g711_ulaw": "audio/g711", "g711_alaw": "audio/g711"}
_DECLARING_KEYS = frozenset({*_MEDIA_KEYS, "format"})


class PayloadKind(Enum):
    MEDIA = "media"
    TEXT = "text"  # text, or a document whose text was read
    UNREADABLE = "unreadable"


@dataclass(frozen=True, slots=True)
class Payload:
    kind: PayloadKind
    detail: str  # "image/png", "pdf", "binary data", ...
    texts: tuple[FileText, ...] = ()  # text read from it (for media: its printable runs)
    unreadable: tuple[str, ...] = ()  # parts of a readable payload that could not be read


def declared_media(obj: dict[str, Any]) -> str | None:
    """The media type an object declares for its payload, lower-cased, if any."""
    if obj.keys().isdisjoint(_DECLARING_KEYS):  # most objects: one C-level check
        return None
    for key in _MEDIA_KEYS:
        value = obj.get(key)
        if isinstance(value, str):
            return value.lower()
    audio_format = obj.get("format")  # OpenAI input_audio: {"data": ..., "format": "pcm16"}
    if isinstance(audio_format, str):
        return _RAW_AUDIO_FORMATS.get(audio_format.lower())
    return None


def may_be_payload(key: str | int | None, value: str) -> bool:
    """True when `value` has the outer shape of a payload (not yet decoded)."""
    if value.startswith("data:"):
        return True
    return key in _FILE_KEYS and len(value) >= _MIN_BASE64 and _BASE64.fullmatch(value) is not None


def read_payload(key: str | int | None, value: str, media: str | None) -> Payload | None:
    """The payload in `value` read by its content, or None when `value` is not a payload."""
    decoded = _decode(key, value)
    if decoded is None:
        return None
    data, declared = decoded
    declared = declared or media
    reading = read_file(data, None, declared)
    # Media and unreadable payloads still carry the printable runs of their bytes (files.py).
    if reading.kind == "media" or reading.kind == "empty":
        return Payload(PayloadKind.MEDIA, reading.detail, reading.texts)
    if reading.kind == "unreadable":
        if (declared or "").startswith(_RAW_AUDIO) or key == "audio":
            return Payload(PayloadKind.MEDIA, "raw audio", reading.texts)
        return Payload(PayloadKind.UNREADABLE, reading.detail, reading.texts)
    return Payload(PayloadKind.TEXT, reading.detail, reading.texts, reading.unreadable)


def _decode(key: str | int | None, value: str) -> tuple[bytes, str | None] | None:
    if value.startswith("data:"):
        header, comma, body = value.partition(",")
        if not comma:
            return None
        media, _, params = header[5:].partition(";")
        if params.endswith("base64") or ";base64" in header:
            data = _base64(body)
            return None if data is None else (data, media.lower() or None)
        return unquote_to_bytes(body), media.lower() or None
    if not may_be_payload(key, value):
        return None
    data = _base64(value)
    return None if data is None else (data, None)


def _base64(text: str) -> bytes | None:
    text = _WHITESPACE.sub("", text) if not text.isalnum() else text
    text = text.rstrip("=")
    if len(text) % 4 == 1:
        return None
    padded = text + "=" * (-len(text) % 4)
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None
