"""Name a file's format from its first bytes (its magic), whatever it is called or declared as.

Only a prefix is looked at (MPEG audio and ADTS also check the header of their second frame),
so sniffing costs the same for 1 KB and 10 MB. A match is strict on purpose: what is called
media here is not read at all, so a text file must never pass for it.
"""

from __future__ import annotations

__all__ = ["UNSUPPORTED", "container_format", "media_type"]

# Formats Warden unpacks or parses; see files.py.
_CONTAINERS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),  # an empty archive
    (b"\x1f\x8b\x08", "gzip"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    # Recognised but not unpacked: named so that the reason given is not just "binary data".
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"Rar!\x1a\x07", "rar archive"),
    # Legacy .doc/.xls/.ppt/.msg, and password-protected Office files of any age.
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy or encrypted office document"),
)
UNSUPPORTED = frozenset({"7z archive", "rar archive", "legacy or encrypted office document"})

_MEDIA_PREFIXES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"II+\x00", "image/tiff"),  # BigTIFF
    (b"MM\x00+", "image/tiff"),
    (b"8BPS\x00\x01", "image/vnd.adobe.photoshop"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "image/jp2"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "image/jxl"),
    (b"fLaC", "audio/flac"),
    (b"OggS\x00", "audio/ogg"),
    (b"#!AMR\n", "audio/amr"),
    (b"#!AMR-WB\n", "audio/amr-wb"),
    (b"MThd\x00\x00\x00\x06", "audio/midi"),
    (b"\x1a\x45\xdf\xa3", "video/webm"),  # EBML: WebM and Matroska
    (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9", "video/x-ms-asf"),  # WMA and WMV
    (b"\x00\x00\x01\xba", "video/mpeg"),
    (b"\x00\x00\x01\xb3", "video/mpeg"),
)
_RIFF = {b"WAVE": "audio/wav", b"WEBP": "image/webp", b"AVI ": "video/x-msvideo"}
_IFF = {b"AIFF": "audio/aiff", b"AIFC": "audio/aiff"}
# ISO base media ('ftyp' box) brands; any other brand is an MP4-family video.
_FTYP_BRANDS = {
    **dict.fromkeys(
        (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1",
         b"mif2", b"msf1"),
        "image/heic",
    ),
    b"avif": "image/avif",
    b"avis": "image/avif",
    **dict.fromkeys((b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "), "audio/mp4"),
    b"qt  ": "video/quicktime",
}  # fmt: skip
# QuickTime files written before 'ftyp' existed start with one of these atoms.
_QUICKTIME_ATOMS = (b"moov", b"mdat", b"wide")
_BMP_HEADER_SIZES = frozenset({12, 40, 52, 56, 64, 108, 124})

# MPEG audio: kbit/s by (version is 1, layer), index 1..14; sample rates by version.
_MPEG_BITRATES = {
    (True, 3): (32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 1): (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 3): (32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 1): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MPEG_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def container_format(data: bytes) -> str | None:
    """'pdf', 'zip', 'gzip', 'zstd', 'bzip2', 'xz', 'tar', a name in UNSUPPORTED, or None."""
    for magic, name in _CONTAINERS:
        if data.startswith(magic):
            return name
    return "tar" if _is_tar(data) else None


def media_type(data: bytes) -> str | None:
    """The MIME type of an image, audio or video file, or None when `data` is not one."""
    for magic, mime in _MEDIA_PREFIXES:
        if data.startswith(magic):
            return mime
    tag = data[8:12]
    # RIFF, and its big-endian (RIFX) and 64-bit (RF64, BW64) forms for large recordings.
    if data[:4] in (b"RIFF", b"RIFX", b"RF64", b"BW64") and tag in _RIFF:
        return _RIFF[tag]
    if data.startswith(b"FORM") and tag in _IFF:
        return _IFF[tag]
    box_size = int.from_bytes(data[:4])
    if data[4:8] == b"ftyp" and 8 <= box_size <= 4096 and box_size % 4 == 0:
        return _FTYP_BRANDS.get(tag, "video/mp4")
    if data[4:8] in _QUICKTIME_ATOMS and box_size >= 8 and data[0] < 0x08:
        return "video/quicktime"
    if _is_bmp(data):
        return "image/bmp"
    if data[:4] in (b"\x00\x00\x01\x00", b"\x00\x00\x02\x00") and _is_icon(data):
        return "image/x-icon"
    if _is_id3(data):
        return "audio/mpeg"
    if data[:1] == b"\xff":
        return _frame_sync_audio(data)
    return None


def _is_tar(data: bytes) -> bool:
    if data[257:262] != b"ustar" or len(data) < 512:
        return False
    header = data[:512]
    try:
        stored = int(header[148:156].replace(b"\x00", b" ").strip() or b"-1", 8)
    except ValueError:
        return False
    # The checksum is the byte sum of the header with its own field read as eight spaces.
    return stored == sum(header[:148]) + 8 * 0x20 + sum(header[156:])


def _is_bmp(data: bytes) -> bool:
    return (
        data[:2] == b"BM"
        and len(data) >= 18
        and data[6:10] == b"\x00\x00\x00\x00"
        and int.from_bytes(data[14:18], "little") in _BMP_HEADER_SIZES
    )


def _is_icon(data: bytes) -> bool:
    # ICONDIR then the first ICONDIRENTRY, whose fourth byte is reserved and zero.
    count = int.from_bytes(data[4:6], "little")
    return count >= 1 and len(data) >= 6 + 16 * count and data[9] == 0


def _is_id3(data: bytes) -> bool:
    # "ID3", major version 2-4, revision, flags, then a 28-bit size in four 7-bit bytes.
    return (
        data[:3] == b"ID3"
        and len(data) >= 10
        and data[3] in (2, 3, 4)
        and data[4] != 0xFF
        and all(b < 0x80 for b in data[6:10])
    )


def _frame_sync_audio(data: bytes) -> str | None:
    """MP3 (or MP1/MP2) or AAC ADTS without a tag: two valid frame headers in a row."""
    for frame_length, mime in ((_adts_length, "audio/aac"), (_mpeg_length, "audio/mpeg")):
        first = frame_length(data)
        if first is not None and frame_length(data[first : first + 8]) is not None:
            return mime
    return None


def _adts_length(h: bytes) -> int | None:
    # 12 sync bits then layer 00; MPEG audio frames use the same sync with a non-zero layer.
    if len(h) < 7 or h[0] != 0xFF or h[1] & 0xF6 != 0xF0 or (h[2] >> 2) & 0x0F > 12:
        return None
    length = (h[3] & 0x03) << 11 | h[4] << 3 | h[5] >> 5
    return length if length >= 7 else None


def _mpeg_length(h: bytes) -> int | None:
    if len(h) < 4 or h[0] != 0xFF or h[1] & 0xE0 != 0xE0:
        return None
    version, layer = (h[1] >> 3) & 0x03, (h[1] >> 1) & 0x03  # version 1 and layer 0: reserved
    bitrate_index, rate_index, padding = h[2] >> 4, (h[2] >> 2) & 0x03, (h[2] >> 1) & 0x01
    if version == 1 or layer == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    bitrate = _MPEG_BITRATES[version == 3, layer][bitrate_index - 1] * 1000
    rate = _MPEG_RATES[version][rate_index]
    if layer == 3:  # layer I counts 4-byte slots
        return (12 * bitrate // rate + padding) * 4
    per_frame = 144 if layer == 2 or version == 3 else 72
    return per_frame * bitrate // rate + padding
