"""Audio recognition by content, with fixtures generated here (no network, no binary blobs)."""

from __future__ import annotations

import hashlib
import io
import math
import shutil
import struct
import subprocess
import wave
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.evidence.audio import (
    AudioError,
    AudioInfo,
    AudioTooLarge,
    UnsupportedAudio,
    inspect_audio,
)

LIMIT = 10 * 1024 * 1024


# --- fixture builders -----------------------------------------------------------------


def make_wav(seconds: float = 1.5, rate: int = 16000, channels: int = 1) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = bytearray()
        for i in range(int(seconds * rate)):
            sample = int(12000 * math.sin(2 * math.pi * 440 * i / rate))
            frames += struct.pack("<h", sample) * channels
        w.writeframes(bytes(frames))
    return buf.getvalue()


AMR_NB_SIZES = {0: 13, 1: 14, 2: 16, 3: 18, 4: 20, 5: 21, 6: 27, 7: 32, 8: 6, 15: 1}
AMR_WB_SIZES = {0: 18, 1: 24, 2: 33, 3: 37, 4: 41, 5: 47, 6: 51, 7: 59, 8: 61, 9: 6, 14: 1, 15: 1}


def amr_frame(mode: int, sizes: dict[int, int]) -> bytes:
    # Header byte: P(1)=0 | FT(4) | Q(1)=1 | padding(2); the payload bits are irrelevant here.
    return bytes([(mode << 3) | 0x04]) + b"\x55" * (sizes[mode] - 1)


def make_amr_nb(modes: list[int]) -> bytes:
    return b"#!AMR\n" + b"".join(amr_frame(m, AMR_NB_SIZES) for m in modes)


def make_amr_wb(modes: list[int]) -> bytes:
    return b"#!AMR-WB\n" + b"".join(amr_frame(m, AMR_WB_SIZES) for m in modes)


def id3v2(payload_size: int = 20) -> bytes:
    size = payload_size
    syncsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    return b"ID3\x03\x00\x00" + syncsafe + b"\x00" * payload_size


# MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no CRC, no padding: 417-byte frames of 1152 samples.
MP3_HEADER = b"\xff\xfb\x90\x00"
MP3_FRAME_SECONDS = 1152 / 44100


def make_mp3(frames: int = 100) -> bytes:
    return (MP3_HEADER + b"\x00" * (417 - 4)) * frames


def adts_frame(payload: bytes = b"\x00" * 20, rate_index: int = 8, blocks: int = 1) -> bytes:
    length = 7 + len(payload)
    header = bytes(
        [
            0xFF,
            0xF1,  # MPEG-4, layer 0, no CRC
            (1 << 6) | (rate_index << 2) | 0,  # profile LC, sampling index, channel cfg high bit
            (1 << 6) | ((length >> 11) & 0x03),  # channel cfg = 1 (mono)
            (length >> 3) & 0xFF,
            ((length & 0x07) << 5) | 0x1F,
            0xFC | (blocks - 1),
        ]
    )
    return header + payload


def make_adts(frames: int = 25) -> bytes:
    return b"".join(adts_frame() for _ in range(frames))  # 25 x 1024 / 16 kHz = 1.6 s


def _ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def ogg_page(packets: list[bytes], seq: int, granule: int, flags: int) -> bytes:
    lacing = bytearray()
    for p in packets:
        lacing += b"\xff" * (len(p) // 255) + bytes([len(p) % 255])
    header = struct.pack("<4sBBqIIIB", b"OggS", 0, flags, granule, 0x47524944, seq, 0, len(lacing))
    page = header + bytes(lacing) + b"".join(packets)
    return page[:22] + struct.pack("<I", _ogg_crc(page)) + page[26:]


def make_ogg_opus(seconds: float = 1.0, pre_skip: int = 312) -> bytes:
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, pre_skip, 48000, 0, 0)
    vendor = b"gridline-test"
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)
    silence = [b"\xf8\xff\xfe"] * int(seconds * 50)  # 20 ms CELT silence frames
    return (
        ogg_page([head], 0, 0, 0x02)
        + ogg_page([tags], 1, 0, 0)
        + ogg_page(silence, 2, pre_skip + int(seconds * 48000), 0x04)
    )


def ebml(eid: int, payload: bytes, *, unknown_size: bool = False) -> bytes:
    id_bytes = eid.to_bytes((eid.bit_length() + 7) // 8, "big")
    if unknown_size:
        return id_bytes + b"\x01\xff\xff\xff\xff\xff\xff\xff" + payload
    return id_bytes + (len(payload) | (1 << 56)).to_bytes(8, "big") + payload


def ebml_uint(eid: int, value: int) -> bytes:
    return ebml(eid, value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def make_webm(
    duration_ms: float | None = 2500.0,
    doctype: bytes = b"webm",
    *,
    timecode_scale: int = 1_000_000,
    float32: bool = False,
    streaming: bool = False,
) -> bytes:
    header = ebml(
        0x1A45DFA3,
        ebml_uint(0x4286, 1)
        + ebml_uint(0x42F7, 1)
        + ebml_uint(0x42F2, 4)
        + ebml_uint(0x42F3, 8)
        + ebml(0x4282, doctype)
        + ebml_uint(0x4287, 4)
        + ebml_uint(0x4285, 2),
    )
    info = ebml_uint(0x2AD7B1, timecode_scale) + ebml(0x4D80, b"gridline-test")
    if duration_ms is not None:
        info += ebml(0x4489, struct.pack(">f" if float32 else ">d", duration_ms))
    tracks = ebml(
        0x1654AE6B,
        ebml(0xAE, ebml_uint(0xD7, 1) + ebml_uint(0x83, 2) + ebml(0x86, b"A_OPUS")),
    )
    cluster = ebml(
        0x1F43B675,
        ebml_uint(0xE7, 0) + ebml(0xA3, b"\x81\x00\x00\x80" + b"\xf8\xff\xfe"),
        unknown_size=streaming,
    )
    body = ebml(0xEC, b"\x00" * 8) + ebml(0x1549A966, info) + tracks + cluster
    # MediaRecorder writes the Segment with an unknown size and no Duration.
    return header + ebml(0x18538067, body, unknown_size=streaming)


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _descriptor(tag: int, payload: bytes) -> bytes:
    return bytes([tag, len(payload)]) + payload


def _esds_aac_lc() -> bytes:
    # ES_Descriptor > DecoderConfigDescriptor (AAC, 64 kbit/s) > AudioSpecificConfig
    # (AAC LC, 44.1 kHz, mono = 0x1208), then the mandatory SLConfigDescriptor.
    config = _descriptor(
        0x04,
        bytes([0x40, 0x15])
        + b"\x00\x00\x00"
        + struct.pack(">II", 64000, 64000)
        + _descriptor(0x05, b"\x12\x08"),
    )
    es = _descriptor(0x03, b"\x00\x01\x00" + config + _descriptor(0x06, b"\x02"))
    return box(b"esds", b"\x00\x00\x00\x00" + es)


def make_m4a(seconds: float = 2.0, handler: bytes = b"soun", brand: bytes = b"M4A ") -> bytes:
    rate = 44100
    ftyp = box(b"ftyp", brand + b"\x00\x00\x00\x00" + brand + b"mp42isom")
    mvhd = box(
        b"mvhd",
        struct.pack(">IIIII", 0, 0, 0, 1000, int(seconds * 1000))
        + struct.pack(">IH", 0x00010000, 0x0100)
        + b"\x00" * 10
        + b"\x00" * 36
        + b"\x00" * 24
        + struct.pack(">I", 2),
    )
    mdhd = box(b"mdhd", struct.pack(">IIIIIHH", 0, 0, 0, rate, int(seconds * rate), 0x55C4, 0))
    hdlr = box(b"hdlr", struct.pack(">II", 0, 0) + handler + b"\x00" * 12 + b"\x00")
    if handler == b"soun":
        entry = box(
            b"mp4a",
            b"\x00" * 6
            + struct.pack(">H", 1)
            + b"\x00" * 8
            + struct.pack(">HHHHI", 1, 16, 0, 0, rate << 16)
            + _esds_aac_lc(),
        )
    else:
        entry = box(b"avc1", b"\x00" * 78)
    stsd = box(b"stsd", struct.pack(">II", 0, 1) + entry)
    minf = box(b"minf", box(b"stbl", stsd))
    trak = box(b"trak", box(b"mdia", mdhd + hdlr + minf))
    return ftyp + box(b"moov", mvhd + trak) + box(b"mdat", b"\x00" * 64)


# --- basic detection and durations --------------------------------------------------


def test_wav_duration_from_stdlib_wave() -> None:
    data = make_wav(1.5)
    info = inspect_audio(data, LIMIT)
    assert info == AudioInfo(
        format="wav",
        mime="audio/wav",
        duration_s=info.duration_s,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )
    assert info.duration_s == pytest.approx(1.5, abs=0.01)


def test_wav_stereo_44k() -> None:
    info = inspect_audio(make_wav(0.5, rate=44100, channels=2), LIMIT)
    assert info.duration_s == pytest.approx(0.5, abs=0.01)


def test_unfinished_wav_with_placeholder_data_size() -> None:
    data = bytearray(make_wav(1.0))
    pos = data.index(b"data")
    data[pos + 4 : pos + 8] = b"\xff\xff\xff\xff"  # streaming writers patch this at the end
    info = inspect_audio(bytes(data), LIMIT)
    assert info.format == "wav"
    assert info.duration_s == pytest.approx(1.0, abs=0.01)


def test_detection_ignores_names_and_mime(tmp_path: Path) -> None:
    # A WAV saved as "x.mp3" is still a WAV: inspect_audio only ever sees the bytes.
    path = tmp_path / "x.mp3"
    path.write_bytes(make_wav(0.2))
    assert inspect_audio(path.read_bytes(), LIMIT).format == "wav"


def test_amr_nb_fifty_mode7_frames_is_one_second() -> None:
    data = make_amr_nb([7] * 50)
    assert len(data) == 6 + 50 * 32
    info = inspect_audio(data, LIMIT)
    assert (info.format, info.mime) == ("amr", "audio/amr")
    assert info.duration_s == pytest.approx(1.0, abs=1e-9)


def test_amr_nb_mixed_modes_sid_and_no_data_frames() -> None:
    modes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 15, 15, 7]  # DTX frames still count 20 ms each
    info = inspect_audio(make_amr_nb(modes), LIMIT)
    assert info.duration_s == pytest.approx(len(modes) * 0.02)


def test_amr_wb() -> None:
    info = inspect_audio(make_amr_wb([8] * 100 + [9, 15]), LIMIT)
    assert (info.format, info.mime) == ("amr", "audio/amr-wb")
    assert info.duration_s == pytest.approx(102 * 0.02)


def test_amr_long_runs_of_empty_frames() -> None:
    # Header-only frames are counted in bulk; the count must still be exact.
    nb = make_amr_nb([15] * 10_000 + [7] + [15] * 499)
    assert inspect_audio(nb, LIMIT).duration_s == pytest.approx(10_500 * 0.02)
    wb = make_amr_wb([14, 15] * 1000 + [8])
    assert inspect_audio(wb, LIMIT).duration_s == pytest.approx(2001 * 0.02)


def test_amr_cut_off_mid_frame_keeps_complete_frames() -> None:
    data = make_amr_nb([7] * 10)[:-5]
    assert inspect_audio(data, LIMIT).duration_s == pytest.approx(9 * 0.02)


@pytest.mark.parametrize(
    "data",
    [
        b"#!AMR\n",  # header only
        make_amr_nb([7] * 3) + bytes([12 << 3]) + b"\x00" * 40,  # reserved frame type 12
        b"#!AMR-WB\n" + bytes([11 << 3]) + b"\x00" * 60,
    ],
    ids=["header-only", "nb-reserved-type", "wb-reserved-type"],
)
def test_broken_amr_is_unsupported(data: bytes) -> None:
    with pytest.raises(UnsupportedAudio) as exc:
        inspect_audio(data, LIMIT)
    assert exc.value.message


def test_mp3_frames() -> None:
    info = inspect_audio(make_mp3(100), LIMIT)
    assert (info.format, info.mime) == ("mp3", "audio/mpeg")
    # Without a Xing header mutagen estimates from the bitrate: within a fraction of a percent.
    assert info.duration_s == pytest.approx(100 * MP3_FRAME_SECONDS, rel=0.01)


def test_mp3_with_id3_tag() -> None:
    info = inspect_audio(id3v2(200) + make_mp3(50), LIMIT)
    assert info.format == "mp3"
    assert info.duration_s == pytest.approx(50 * MP3_FRAME_SECONDS, rel=0.01)


def test_id3_tag_without_audio_is_unsupported() -> None:
    with pytest.raises(UnsupportedAudio):
        inspect_audio(id3v2(200) + b"just some text, no frames" * 10, LIMIT)


def test_adts_aac_exact_duration() -> None:
    info = inspect_audio(make_adts(25), LIMIT)
    assert (info.format, info.mime) == ("aac", "audio/aac")
    assert info.duration_s == pytest.approx(1.6)


def test_adts_aac_after_id3_tag_and_truncated_tail() -> None:
    data = id3v2(50) + make_adts(25) + adts_frame()[:-5]
    info = inspect_audio(data, LIMIT)
    assert info.format == "aac"
    assert info.duration_s == pytest.approx(1.6)


def test_ogg_opus() -> None:
    info = inspect_audio(make_ogg_opus(1.0), LIMIT)
    assert (info.format, info.mime) == ("ogg", "audio/ogg")
    assert info.duration_s == pytest.approx(1.0, abs=0.01)


def test_ogg_with_unknown_codec_is_unsupported() -> None:
    data = ogg_page([b"\x80theora" + b"\x00" * 35], 0, 0, 0x02)
    with pytest.raises(UnsupportedAudio):
        inspect_audio(data, LIMIT)


def test_webm_with_duration() -> None:
    info = inspect_audio(make_webm(2500.0), LIMIT)
    assert (info.format, info.mime) == ("webm", "audio/webm")
    assert info.duration_s == pytest.approx(2.5)


def test_webm_float32_duration_and_custom_timecode_scale() -> None:
    info = inspect_audio(make_webm(1500.0, timecode_scale=2_000_000, float32=True), LIMIT)
    assert info.duration_s == pytest.approx(3.0)


def test_mediarecorder_webm_without_duration_reports_none() -> None:
    info = inspect_audio(make_webm(None, streaming=True), LIMIT)
    assert info.format == "webm"
    assert info.duration_s is None


def test_matroska_doctype_is_not_webm() -> None:
    with pytest.raises(UnsupportedAudio):
        inspect_audio(make_webm(1000.0, doctype=b"matroska"), LIMIT)


def test_m4a() -> None:
    info = inspect_audio(make_m4a(2.0), LIMIT)
    assert (info.format, info.mime) == ("m4a", "audio/mp4")
    assert info.duration_s == pytest.approx(2.0)


def test_mp4_without_audio_track_is_unsupported() -> None:
    with pytest.raises(UnsupportedAudio):
        inspect_audio(make_m4a(2.0, handler=b"vide", brand=b"isom"), LIMIT)


def test_heif_ftyp_is_not_audio() -> None:
    with pytest.raises(UnsupportedAudio):
        inspect_audio(make_m4a(2.0).replace(b"M4A ", b"heic").replace(b"mp42isom", b"mif1"), LIMIT)


# --- rejections and limits -------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        "录音：今天下午三点，小区门口垃圾堆放。\n".encode(),
        b"%PDF-1.7\n",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        b"\xff\xd8\xff\xe0" + b"\x00" * 64,  # JPEG
        b"RIFF\x10\x00\x00\x00AVI LIST",
        b"#!SILK_V3" + b"\x00" * 32,  # WeChat's SILK voice is not supported
    ],
    ids=["empty", "text", "pdf", "png", "jpeg", "avi", "silk"],
)
def test_non_audio_is_unsupported(data: bytes) -> None:
    with pytest.raises(UnsupportedAudio) as exc:
        inspect_audio(data, LIMIT)
    assert exc.value.message == "不支持的录音格式，请上传 mp3/m4a/amr/wav/webm/ogg"
    assert isinstance(exc.value, ValueError)


def test_over_limit_raises_with_limit_in_mb() -> None:
    data = make_wav(0.1) + b"\x00" * LIMIT
    with pytest.raises(AudioTooLarge) as exc:
        inspect_audio(data, LIMIT)
    assert exc.value.limit_bytes == LIMIT
    assert "10 MB" in exc.value.message
    assert isinstance(exc.value, AudioError)


def test_size_check_comes_before_parsing() -> None:
    with pytest.raises(AudioTooLarge):
        inspect_audio(b"not audio at all" * 100, 1000)


@pytest.mark.parametrize(
    ("limit", "text"),
    [(LIMIT, "10 MB"), (1536 * 1024, "1.5 MB"), (20 * 1000 * 1000, "19.1 MB"), (4096, "4 KB")],
)
def test_too_large_message_formats_limit(limit: int, text: str) -> None:
    assert AudioTooLarge(limit).message == f"录音文件超过 {text} 上限"


def test_exactly_at_limit_is_accepted() -> None:
    data = make_amr_nb([7] * 10)
    assert inspect_audio(data, len(data)).size == len(data)


# --- robustness: only AudioError subclasses may escape -------------------------------


def _check_never_crashes(data: bytes) -> None:
    try:
        info = inspect_audio(data, LIMIT)
    except UnsupportedAudio as exc:
        assert exc.message
        return
    assert info.size == len(data)
    assert info.duration_s is None or (math.isfinite(info.duration_s) and info.duration_s >= 0)


VALID = {
    "wav": make_wav(0.05),
    "amr": make_amr_nb([7, 0, 8, 15] * 3),
    "amr-wb": make_amr_wb([2, 9, 15] * 3),
    "mp3": make_mp3(3),
    "mp3-id3": id3v2(16) + make_mp3(2),
    "aac": make_adts(3),
    "ogg": make_ogg_opus(0.1),
    "webm": make_webm(100.0),
    "webm-stream": make_webm(None, streaming=True),
    "m4a": make_m4a(0.5),
}

MAGICS = [
    b"ID3\x03\x00\x00\x00\x00\x00\x10",
    b"ID3\x04\x00\x10\x00\x00\x00\x00",
    MP3_HEADER,
    b"\xff\xf1\x50\x80",
    b"#!AMR\n",
    b"#!AMR-WB\n",
    b"RIFF\x24\x00\x00\x00WAVE",
    b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00",
    b"\x00\x00\x00\x18ftypM4A ",
    b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A mp42",
    b"\x1a\x45\xdf\xa3",
    make_webm(100.0)[:60],
    b"OggS",
    make_ogg_opus(0.1)[:47],
]


@pytest.mark.parametrize("name", sorted(VALID))
def test_every_truncation_of_valid_files_is_handled(name: str) -> None:
    data = VALID[name]
    assert inspect_audio(data, LIMIT).format in {"wav", "amr", "mp3", "aac", "ogg", "webm", "m4a"}
    for end in range(len(data)):
        _check_never_crashes(data[:end])


# No deadline: CI machines are shared; parse speed is measured in benchmarks, not asserted.
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(magic=st.sampled_from(MAGICS), tail=st.binary(max_size=1500))
def test_fuzz_random_bytes_after_magic(magic: bytes, tail: bytes) -> None:
    _check_never_crashes(magic + tail)


# No deadline: CI machines are shared; parse speed is measured in benchmarks, not asserted.
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(VALID)),
    edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
)
def test_fuzz_corrupted_valid_files(name: str, edits: list[tuple[int, int]]) -> None:
    data = bytearray(VALID[name])
    for pos, value in edits:
        data[pos % len(data)] = value
    _check_never_crashes(bytes(data))


# --- real encoders, when the machine has them ----------------------------------------

SINE = "sine=frequency=440:duration=1.5:sample_rate={rate}"
FFMPEG = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i"]
SOX = ["sox", "-n", "-c", "1", "-r"]

# name -> (expected format, output suffix, ffmpeg args, sox args or None)
ENCODED: dict[str, tuple[str, str, list[str], list[str] | None]] = {
    "mp3": ("mp3", "mp3", [SINE.format(rate=44100), "-c:a", "libmp3lame", "-b:a", "64k"], None),
    "ogg-opus": ("ogg", "ogg", [SINE.format(rate=48000), "-c:a", "libopus"], None),
    "ogg-vorbis": ("ogg", "ogg", [SINE.format(rate=44100), "-c:a", "libvorbis"], ["44100"]),
    "m4a": ("m4a", "m4a", [SINE.format(rate=44100), "-c:a", "aac", "-b:a", "64k"], None),
    "aac-adts": ("aac", "aac", [SINE.format(rate=44100), "-c:a", "aac", "-f", "adts"], None),
    "amr-nb": ("amr", "amr", [SINE.format(rate=8000), "-c:a", "libopencore_amrnb"], ["8000"]),
    "webm-opus": ("webm", "webm", [SINE.format(rate=48000), "-c:a", "libopus"], None),
    "wav-ffmpeg": ("wav", "wav", [SINE.format(rate=16000), "-c:a", "pcm_s16le"], ["16000"]),
}


def _encode(name: str, out: Path) -> bytes:
    _fmt, _suffix, ff_args, sox_args = ENCODED[name]
    tried = []
    if shutil.which("ffmpeg"):
        cmd = [*FFMPEG, *ff_args, str(out)]
        proc = subprocess.run(cmd, capture_output=True, timeout=60, check=False)
        if proc.returncode == 0 and out.exists():
            return out.read_bytes()
        tried.append(f"ffmpeg failed: {proc.stderr.decode(errors='replace').strip()[:200]}")
    if sox_args is not None and shutil.which("sox"):
        cmd = [*SOX, *sox_args, str(out), "synth", "1.5", "sine", "440"]
        proc = subprocess.run(cmd, capture_output=True, timeout=60, check=False)
        if proc.returncode == 0 and out.exists():
            return out.read_bytes()
        tried.append(f"sox failed: {proc.stderr.decode(errors='replace').strip()[:200]}")
    if not tried:
        tool = "ffmpeg or sox" if sox_args is not None else "ffmpeg"
        pytest.skip(f"{name}: needs {tool} on PATH to generate the fixture (apt: ffmpeg, sox)")
    pytest.skip(f"{name}: encoder unavailable in this build ({'; '.join(tried)})")


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_encoded_by_real_tools(name: str, tmp_path: Path) -> None:
    expected, suffix, _ff, _sox = ENCODED[name]
    data = _encode(name, tmp_path / f"sine.{suffix}")
    info = inspect_audio(data, LIMIT)
    assert info.format == expected
    # Lossy encoders add priming/padding samples; a tenth of a second is plenty.
    assert info.duration_s is not None
    assert info.duration_s == pytest.approx(1.5, abs=0.1)
    for end in range(0, len(data), max(1, len(data) // 50)):
        _check_never_crashes(data[:end])
