"""Print-friendly HTML of a course or a path: headings, the lessons' text, no navigation chrome,
a page break before each course. Markdown is CommonMark with raw HTML escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markdown_it import MarkdownIt

from training.content.models import Course, CourseModule, Lesson
from training.sessions.models import TrainingSession
from training.zones import in_zone

_MARKDOWN = MarkdownIt("commonmark", {"html": False})

STYLE = """
body { font-family: Georgia, serif; font-size: 12pt; line-height: 1.45; max-width: 42em;
       margin: 2em auto; color: #000; background: #fff; }
section.course { break-before: page; page-break-before: always; }
section.course:first-of-type { break-before: auto; page-break-before: auto; }
h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
a { color: #000; }
a[href^="http"]::after { content: " (" attr(href) ")"; font-size: 90%; }
@page { margin: 2cm; }
"""


def markdown(text: str, *, below: int) -> str:
    """The Markdown as HTML, its headings moved down under a heading of level `below`."""
    tokens = _MARKDOWN.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + below)}"
    return str(_MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}))


def _page(title: str, lang: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )


def course_section(
    course: Course, outline: Sequence[tuple[CourseModule, Lesson]], *, level: int
) -> str:
    """A course as a section: its title at `level`, modules one below, lessons one further."""
    parts = [f'<section class="course">\n<h{level}>{escape(course.title)}</h{level}>\n']
    parts.append(markdown(course.summary, below=level))
    current = None
    for module, lesson in outline:
        if module.id != current:
            current = module.id
            parts.append(f"<h{level + 1}>{escape(module.title)}</h{level + 1}>\n")
        parts.append(f"<h{level + 2}>{escape(lesson.title)}</h{level + 2}>\n")
        parts.append(markdown(lesson.body, below=level + 2))
        for link in lesson.links + lesson.files:
            parts.append(f'<p><a href="{escape(link["url"])}">{escape(link["title"])}</a></p>\n')
    parts.append("</section>\n")
    return "".join(parts)


def session_section(ts: TrainingSession) -> str:
    start = in_zone(ts.starts_at, ts.time_zone)
    end = in_zone(ts.ends_at, ts.time_zone)
    when = f"{start:%Y-%m-%d %H:%M} to {end:%H:%M} ({ts.time_zone})"
    where = ", ".join(
        p for p in ((ts.venue or {}).get("name"), (ts.venue or {}).get("city"), ts.online_url) if p
    )
    return (
        f'<section class="session">\n<h2>{escape(ts.title)}</h2>\n'
        f"<p>{escape(when)}</p>\n<p>{escape(where)}</p>\n</section>\n"
    )


def course_page(course: Course, outline: Sequence[tuple[CourseModule, Lesson]]) -> str:
    return _page(course.title, course.lang, course_section(course, outline, level=1))


def path_page(title: str, lang: str, description: str, sections: Sequence[str]) -> str:
    intro = f"<h1>{escape(title)}</h1>\n" + markdown(description, below=1)
    return _page(title, lang, intro + "".join(sections))
