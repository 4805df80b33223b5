"""Recognise voice notes and call recordings by their content.

The file name and the client's Content-Type are never trusted: phones and mini-programs
routinely send ``.mp3`` names for AMR data or ``application/octet-stream`` for everything.
``inspect_audio`` sniffs the magic bytes, parses the container and returns an ``AudioInfo``;
anything it cannot parse raises ``UnsupportedAudio``. Only ``AudioError`` subclasses escape,
so the web layer can map them to a 4xx with the Chinese ``message``.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggspeex import OggSpeex
from mutagen.oggvorbis import OggVorbis

__all__ = [
    "MIME_TYPES",
    "AudioError",
    "AudioInfo",
    "AudioTooLarge",
    "UnsupportedAudio",
    "inspect_audio",
]

_MB = 1024 * 1024

MIME_TYPES: dict[str, str] = {
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "aac": "audio/aac",
    "amr": "audio/amr",
    "wav": "audio/wav",
    "webm": "audio/webm",
    "ogg": "audio/ogg",
}
_AMR_WB_MIME = "audio/amr-wb"


class AudioError(ValueError):
    """Base class; ``message`` is safe to show to the user."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        # English, for logs only: why the parser gave up.
        self.detail = detail


class AudioTooLarge(AudioError):
    def __init__(self, limit_bytes: int) -> None:
        self.limit_bytes = limit_bytes
        super().__init__(f"录音文件超过 {_format_limit(limit_bytes)} 上限")


class UnsupportedAudio(AudioError):
    UNKNOWN_FORMAT = "不支持的录音格式，请上传 mp3/m4a/amr/wav/webm/ogg"
    CORRUPT = "录音文件已损坏或无法读取，请重新录制后上传"

    def __init__(self, message: str = UNKNOWN_FORMAT, *, detail: str = "") -> None:
        super().__init__(message, detail=detail)


@dataclass(frozen=True)
class AudioInfo:
    format: str  # one of MIME_TYPES' keys
    mime: str
    duration_s: float | None  # None when the container does not say (e.g. MediaRecorder webm)
    sha256: str
    size: int


def _format_limit(limit_bytes: int) -> str:
    mb = limit_bytes / _MB
    if mb >= 0.1:
        return f"{mb:.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(limit_bytes / 1024))} KB"


def inspect_audio(data: bytes, max_bytes: int) -> AudioInfo:
    """Identify ``data`` and read its duration; raise an ``AudioError`` subclass otherwise."""
    if len(data) > max_bytes:
        raise AudioTooLarge(max_bytes)
    fmt = _sniff(data)
    if fmt is None:
        raise UnsupportedAudio(detail="no known audio signature")
    try:
        duration = _PARSERS[fmt](data)
    except AudioError:
        raise
    except Exception as exc:  # hostile input can make any parser raise anything
        raise UnsupportedAudio(UnsupportedAudio.CORRUPT, detail=f"{fmt}: {exc!r}") from exc
    if duration is not None and not (math.isfinite(duration) and duration >= 0):
        duration = None
    if fmt == "amr-wb":
        fmt, mime = "amr", _AMR_WB_MIME
    else:
        mime = MIME_TYPES[fmt]
    return AudioInfo(
        format=fmt,
        mime=mime,
        duration_s=duration,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


# --- sniffing -------------------------------------------------------------------------

_AMR_NB_MAGIC = b"#!AMR\n"
_AMR_WB_MAGIC = b"#!AMR-WB\n"
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
# ISO BMFF brands of audio-only MP4 files (iPhone voice memos: "M4A "; Android: mp42/isom).
_MP4_BRANDS = frozenset(
    {b"M4A ", b"M4B ", b"mp41", b"mp42", b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"dash"}
)

# ADTS sampling-frequency index -> Hz (ISO/IEC 14496-3); indexes 13-15 are reserved.
_ADTS_HZ = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350)


def _sniff(data: bytes) -> str | None:
    if data.startswith(_AMR_WB_MAGIC):
        return "amr-wb"
    if data.startswith(_AMR_NB_MAGIC):
        return "amr"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[4:8] == b"ftyp":
        return "m4a" if _has_mp4_audio_brand(data) else None
    if data.startswith(_EBML_MAGIC):
        return "webm"
    if data.startswith(b"OggS"):
        return "ogg"
    if data.startswith(b"ID3"):
        tag_end = _id3_end(data)
        if tag_end is None:
            return None
        # ID3 usually fronts mp3, but some recorders put it before ADTS aac. Anything else
        # goes to mutagen's mp3 reader, which skips padding to find the first frame.
        return "aac" if _is_adts(data, tag_end) else "mp3"
    if _is_adts(data, 0):
        return "aac"
    if _is_mp3_frame(data, 0):
        return "mp3"
    return None


def _has_mp4_audio_brand(data: bytes) -> bool:
    box_size = int.from_bytes(data[:4], "big")
    end = min(box_size, len(data), 64)
    brands = [data[8:12]] + [data[i : i + 4] for i in range(16, end - 3, 4)]
    return any(b in _MP4_BRANDS for b in brands)


def _id3_end(data: bytes) -> int | None:
    """Offset just after an ID3v2 tag, or None if the tag header is malformed."""
    if len(data) < 10 or data[3] not in (2, 3, 4) or any(b & 0x80 for b in data[6:10]):
        return None
    size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
    footer = 10 if data[5] & 0x10 else 0
    return 10 + size + footer


def _is_adts(data: bytes, pos: int) -> bool:
    # 12-bit sync 0xFFF, layer bits 00, valid sampling-frequency index.
    return (
        len(data) >= pos + 7
        and data[pos] == 0xFF
        and data[pos + 1] & 0xF6 == 0xF0
        and (data[pos + 2] >> 2) & 0x0F < len(_ADTS_HZ)
    )


def _is_mp3_frame(data: bytes, pos: int) -> bool:
    if len(data) < pos + 4 or data[pos] != 0xFF or data[pos + 1] & 0xE0 != 0xE0:
        return False
    version = (data[pos + 1] >> 3) & 0x03
    layer = (data[pos + 1] >> 1) & 0x03
    bitrate = data[pos + 2] >> 4
    rate = (data[pos + 2] >> 2) & 0x03
    # version 01 is reserved; layer 01 is Layer III; bitrate 0 (free) and 15 are not usable.
    return version != 1 and layer == 1 and 0 < bitrate < 15 and rate != 3


# --- per-format parsers: return duration in seconds (or None) or raise -----------------


def _mutagen_length(cls: Callable[[io.BytesIO], Any], data: bytes) -> float | None:
    info = cls(io.BytesIO(data)).info
    length = getattr(info, "length", None)
    return float(length) if length is not None else None


def _parse_mp3(data: bytes) -> float | None:
    return _mutagen_length(MP3, data)


def _parse_m4a(data: bytes) -> float | None:
    info: Any = MP4(io.BytesIO(data)).info  # mutagen types FileType.info as None
    # mutagen falls back to the movie header when there is no sound track; a video-only
    # or empty MP4 is not a recording.
    if not info.codec:
        raise UnsupportedAudio(UnsupportedAudio.CORRUPT, detail="mp4 without an audio track")
    return float(info.length)


def _parse_ogg(data: bytes) -> float | None:
    # The first page carries exactly the codec's identification header.
    if len(data) < 27:
        raise UnsupportedAudio(UnsupportedAudio.CORRUPT, detail="ogg page truncated")
    packet = data[27 + data[26] :]
    if packet.startswith(b"OpusHead"):
        return _mutagen_length(OggOpus, data)
    if packet.startswith(b"\x01vorbis"):
        return _mutagen_length(OggVorbis, data)
    if packet.startswith(b"Speex   "):
        return _mutagen_length(OggSpeex, data)
    raise UnsupportedAudio(detail="ogg stream is not opus/vorbis/speex")


# Bytes per frame including the 1-byte header, indexed by frame type (RFC 4867 / TS 26.101).
# None marks reserved types, which only appear in corrupt files.
_AMR_NB_SIZES = (13, 14, 16, 18, 20, 21, 27, 32, 6, None, None, None, None, None, None, 1)
_AMR_WB_SIZES = (18, 24, 33, 37, 41, 47, 51, 59, 61, 6, None, None, None, None, 1, 1)


def _one_byte_run(sizes: tuple[int | None, ...]) -> re.Pattern[bytes]:
    header_bytes = bytes(b for b in range(256) if sizes[(b >> 3) & 0x0F] == 1)
    return re.compile(b"[" + re.escape(header_bytes) + b"]+")


_AMR_NB_EMPTY_RUN = _one_byte_run(_AMR_NB_SIZES)
_AMR_WB_EMPTY_RUN = _one_byte_run(_AMR_WB_SIZES)


def _amr_duration(
    data: bytes, start: int, sizes: tuple[int | None, ...], empty_run: re.Pattern[bytes]
) -> float:
    pos, frames = start, 0
    while pos < len(data):
        size = sizes[(data[pos] >> 3) & 0x0F]
        if size is None:
            raise UnsupportedAudio(UnsupportedAudio.CORRUPT, detail=f"amr: bad frame at {pos}")
        if size == 1:
            # Skip runs of header-only (NO_DATA) frames in one go: a crafted file made of
            # them would otherwise cost a Python iteration per byte.
            run = empty_run.match(data, pos)
            assert run is not None
            frames += run.end() - pos
            pos = run.end()
            continue
        if pos + size > len(data):
            break  # recording cut off mid-frame: keep what is complete
        pos += size
        frames += 1
    if frames == 0:
        raise UnsupportedAudio(UnsupportedAudio.CORRUPT, detail="amr: no frames")
    return frames * 0.02  # every AMR frame (including NO_DATA) covers 20 ms


def _parse_amr(data: bytes) -> float | None:
    return _amr_duration(data, len(_AMR_NB_MAGIC), _AMR_NB_SIZES, _AMR_NB_EMPTY_RUN)


def _parse_amr_wb(data: bytes) -> float | None:
    return _amr_duration(data, len(_AMR_WB_MAGIC), _AMR_WB_SIZES, _AMR_WB_EMPTY_RUN)


def _parse_aac(data: bytes) -> float | None:
    # Walk the ADTS frames ourselves: every header states its length and block count, so
    # the duration is exact (mutagen only extrapolates from the first frames' bitrate).
    pos = (_id3_end(data) or 0) if data.startswith(b"ID3") else 0
    samples, rate = 0, 0
    while _is_adts(data, pos):
        frame_len = ((data[pos + 3] & 0x03) << 11) | (data[pos + 4] << 3) | (data[pos + 5] >> 5)
        header_len = 7 if data[pos + 1] & 0x01 else 9
        if frame_len < header_len or pos + frame_len > len(data):
            break  # corrupt or truncated tail
        rate = rate or _ADTS_HZ[(data[pos + 2] >> 2) & 0x0F]
        samples += 1024 * ((data[pos + 6] & 0x03) + 1)
        pos += frame_len
    if samples == 0:
        raise UnsupportedAudio(UnsupportedAudio.CORRUPT, detail="adts: no complete frame")
    return samples / rate


_WAV_PCM_CODES = frozenset({1, 3, 0xFFFE})  # integer PCM, float, WAVE_FORMAT_EXTENSIBLE


def _parse_wav(data: bytes) -> float | None:
    # Own RIFF walk rather than mutagen.wave: mutagen divides by block_align, which is wrong
    # for ADPCM/GSM call recordings, and chokes on the placeholder sizes streaming writers
    # leave in unfinished files.
    fmt: tuple[int, ...] | None = None
    pos = 12
    while pos + 8 <= len(data):
        chunk_id = data[pos : pos + 4]
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        body = pos + 8
        if chunk_id == b"fmt ":
            if size < 16 or body + 16 > len(data):
                break
            fmt = struct.unpack("<HHIIHH", data[body : body + 16])
        elif chunk_id == b"data":
            if fmt is None:
                break
            if size in (0, 0xFFFFFFFF) or body + size > len(data):
                size = len(data) - body  # unfinished or truncated file: use what is there
            return _wav_seconds(fmt, size)
        pos = body + size + (size & 1)  # chunks are word-aligned
    raise UnsupportedAudio(UnsupportedAudio.CORRUPT, detail="wav: no fmt/data chunks")


def _wav_seconds(fmt: tuple[int, ...], data_size: int) -> float:
    codec, channels, rate, byte_rate, block_align, _bits = fmt
    if channels == 0 or rate == 0:
        raise UnsupportedAudio(UnsupportedAudio.CORRUPT, detail="wav: empty fmt")
    if codec in _WAV_PCM_CODES and block_align:
        return (data_size // block_align) / rate
    if byte_rate == 0:
        raise UnsupportedAudio(UnsupportedAudio.CORRUPT, detail="wav: zero byte rate")
    return data_size / byte_rate


# EBML / Matroska element IDs (with their length marker bits, as written in the file).
_EBML_DOCTYPE = 0x4282
_MKV_SEGMENT = 0x18538067
_MKV_INFO = 0x1549A966
_MKV_TIMECODE_SCALE = 0x2AD7B1
_MKV_DURATION = 0x4489
_MKV_CLUSTER = 0x1F43B675
_EBML_VOID = 0xEC


def _vint(data: bytes, pos: int, *, is_id: bool) -> tuple[int, int, bool]:
    """Read an EBML variable-length integer: (value, next_pos, is_unknown_size)."""
    if pos >= len(data) or data[pos] == 0:
        raise UnsupportedAudio(UnsupportedAudio.CORRUPT, detail=f"ebml: bad vint at {pos}")
    length = 9 - data[pos].bit_length()
    if length > (4 if is_id else 8) or pos + length > len(data):
        raise UnsupportedAudio(UnsupportedAudio.CORRUPT, detail=f"ebml: bad vint at {pos}")
    value = data[pos] if is_id else data[pos] & ((0x80 >> (length - 1)) - 1)
    for b in data[pos + 1 : pos + length]:
        value = (value << 8) | b
    unknown = not is_id and value == (1 << (7 * length)) - 1
    return value, pos + length, unknown


def _element(data: bytes, pos: int) -> tuple[int, int, int, bool]:
    """(id, body_start, body_size, unknown_size) of the element at ``pos``."""
    eid, pos, _ = _vint(data, pos, is_id=True)
    size, pos, unknown = _vint(data, pos, is_id=False)
    return eid, pos, size, unknown


def _parse_webm(data: bytes) -> float | None:
    eid, body, size, unknown = _element(data, 0)
    if unknown:
        raise UnsupportedAudio(UnsupportedAudio.CORRUPT, detail="ebml: unknown header size")
    header_end = body + size
    doctype = b""
    pos = body
    while pos < min(header_end, len(data)):
        eid, body, size, _ = _element(data, pos)
        if eid == _EBML_DOCTYPE:
            doctype = data[body : body + size].rstrip(b"\0")
        pos = body + size
    if doctype != b"webm":
        raise UnsupportedAudio(detail=f"ebml doctype {doctype!r} is not webm")

    pos = header_end
    eid, body, size, unknown = _element(data, pos)
    while eid == _EBML_VOID:
        eid, body, size, unknown = _element(data, body + size)
    if eid != _MKV_SEGMENT:
        raise UnsupportedAudio(UnsupportedAudio.CORRUPT, detail="webm: no segment")
    try:
        return _webm_segment_duration(data, body, len(data) if unknown else body + size)
    except UnsupportedAudio:
        return None  # the header is fine; a damaged segment only costs us the duration


def _webm_segment_duration(data: bytes, pos: int, end: int) -> float | None:
    end = min(end, len(data))
    while pos < end:
        eid, body, size, unknown = _element(data, pos)
        if eid == _MKV_CLUSTER or unknown:
            return None  # Info always precedes the media data
        if eid == _MKV_INFO:
            return _webm_info_duration(data, body, min(body + size, end))
        pos = body + size
    return None


def _webm_info_duration(data: bytes, pos: int, end: int) -> float | None:
    scale, duration = 1_000_000, None  # TimecodeScale default: 1 ms in ns
    while pos < end:
        eid, body, size, _ = _element(data, pos)
        value = data[body : body + size]
        if eid == _MKV_TIMECODE_SCALE and 0 < size <= 8:
            scale = int.from_bytes(value, "big")
        elif eid == _MKV_DURATION and size in (4, 8) and len(value) == size:
            duration = struct.unpack(">f" if size == 4 else ">d", value)[0]
        pos = body + size
    # MediaRecorder (Chrome, WeChat webviews) writes no Duration: report unknown, not 0.
    return None if duration is None else duration * scale / 1e9


_PARSERS: dict[str, Callable[[bytes], float | None]] = {
    "mp3": _parse_mp3,
    "m4a": _parse_m4a,
    "aac": _parse_aac,
    "amr": _parse_amr,
    "amr-wb": _parse_amr_wb,
    "wav": _parse_wav,
    "webm": _parse_webm,
    "ogg": _parse_ogg,
}
