"""A strict WebVTT reader (W3C WebVTT, the file's structure and cue timings).

webvtt-py reads files but does not validate them: it drops a cue whose timestamp it cannot read
without a word and accepts a cue that ends before it starts. Here every such fault is an error
naming its line, so a subtitle file is refused whole rather than stored with cues missing."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_TIMESTAMP = re.compile(r"^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})$")
_ARROW = "-->"
_SETTING = re.compile(r"^(vertical|line|position|size|align|region):\S+$")
MAX_CUES = 20_000


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str


class WebVTTError(ValueError):
    """What is wrong with the file, and on which line (1 = the first)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def _timestamp(value: str, line: int) -> int:
    found = _TIMESTAMP.match(value)
    if found is None:
        raise WebVTTError(line, f"{value!r} is not a timestamp ([hh:]mm:ss.ttt)")
    hours, minutes, seconds, millis = found.groups()
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def _timing(text: str, line: int) -> tuple[int, int]:
    left, arrow, right = text.partition(_ARROW)
    if not arrow:
        raise WebVTTError(line, "a cue's timing line is 'start --> end'")
    start = _timestamp(left.strip(), line)
    end_and_settings = right.split()
    if not end_and_settings:
        raise WebVTTError(line, "the cue has no end time")
    end = _timestamp(end_and_settings[0], line)
    for setting in end_and_settings[1:]:
        if not _SETTING.match(setting):
            raise WebVTTError(line, f"{setting!r} is not a cue setting")
    if end <= start:
        raise WebVTTError(line, "the cue ends before (or when) it starts")
    return start, end


def _header(lines: list[str]) -> int:
    """Check the signature line; the index of the first line after the header block."""
    first = lines[0].removeprefix("\ufeff") if lines else ""
    if not (first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise WebVTTError(1, "a WebVTT file starts with the line 'WEBVTT'")
    i = 1
    while i < len(lines) and lines[i].strip():
        if _ARROW in lines[i]:
            raise WebVTTError(i + 1, "a blank line must separate the header from the first cue")
        i += 1
    return i


def _blocks(lines: list[str], start: int) -> list[tuple[int, list[str]]]:
    """The blank-line-separated blocks after the header, each with its first line's number."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for number, text in enumerate(lines[start:], start=start + 1):
        if text.strip():
            if not current:
                first = number
            current.append(text)
        elif current:
            blocks.append((first, current))
            current = []
    if current:
        blocks.append((first, current))
    return blocks


def _cue(first: int, block: list[str]) -> Cue:
    timing_at = 0 if _ARROW in block[0] else 1
    if timing_at == 1 and (len(block) < 2 or _ARROW not in block[1]):
        raise WebVTTError(first + 1, "a cue's identifier is followed by its timing line")
    start, end = _timing(block[timing_at], first + timing_at)
    payload = block[timing_at + 1 :]
    for offset, text in enumerate(payload, start=first + timing_at + 1):
        if _ARROW in text:
            raise WebVTTError(offset, "a cue's text may not hold '-->' (a missing blank line?)")
    if not payload:
        raise WebVTTError(first + timing_at, "the cue has no text")
    return Cue(start, end, "\n".join(payload))


def parse(text: str) -> list[Cue]:
    """The cues of a WebVTT file, or WebVTTError at the first fault."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if "\x00" in text:
        raise WebVTTError(1, "a WebVTT file holds no NUL characters")
    cues: list[Cue] = []
    for first, block in _blocks(lines, _header(lines)):
        head = block[0]
        if head.startswith(("NOTE", "STYLE", "REGION")) and _ARROW not in head:
            if head.startswith(("STYLE", "REGION")) and cues:
                raise WebVTTError(first, f"{head.split()[0]} blocks come before the first cue")
            continue
        cue = _cue(first, block)
        if cues and cue.start_ms < cues[-1].start_ms:
            raise WebVTTError(first, "cues are in order of their start times")
        cues.append(cue)
        if len(cues) > MAX_CUES:
            raise WebVTTError(first, f"at most {MAX_CUES} cues")
    if not cues:
        raise WebVTTError(len(lines), "the file has no cues")
    return cues


_TAG = re.compile(r"<[^>]*>")


def transcript(cues: list[Cue]) -> str:
    """The cues' text without markup, as one text for search."""
    return html.unescape(" ".join(_TAG.sub("", c.text).replace("\n", " ") for c in cues))
