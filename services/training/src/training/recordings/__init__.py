"""Recordings of webinars with their WebVTT subtitles per language, checked strictly on upload."""
