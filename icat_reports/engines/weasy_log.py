"""What WeasyPrint says while printing, told to the user; an image it cannot load fails the PDF.

WeasyPrint logs on its logger `weasyprint`, to which it adds only a NullHandler: unheard, an
image it cannot load is left out of the PDF without a word. Its errors are about resources it
could not fetch or use (an image, a stylesheet), its warnings mostly about CSS it ignores (the
templates' rules for browsers, in `weasyprint/css/`) and otherwise about resources (a font face
that cannot be loaded) or layout it does not support. `install` adds a handler that writes to
stderr the errors and the warnings that are not about CSS, and with --verbose every record.

Every image of the content was decoded when the content was read (assets.py), and the
templates' own are data: URLs, so an image WeasyPrint cannot load is a fault of the build,
not of the content: the handler raises ImageNotLoaded where WeasyPrint logs it, which ends the
printing step that met it, and the PDF is not written without its picture. The forked
rendering processes inherit the handler.
"""

from __future__ import annotations

import logging
import os
import re

# WeasyPrint's messages (their format strings) for an image left out of the page.
FATAL = ("Failed to load image", "Failed to render SVG image", "Failed to load inline SVG")
_CSS = f"{os.sep}weasyprint{os.sep}css{os.sep}"
_DATA_URL = re.compile(r"data:([\w.+-]+/[\w.+-]+)?[;,][^\s'\"]*")


class ImageNotLoaded(RuntimeError):
    pass


def shorten(text: str) -> str:
    """text with each data: URL cut to its type and length: an image's is megabytes long."""
    return _DATA_URL.sub(lambda m: f"data:{m.group(1) or ''}… ({len(m.group()):,} characters)", text)


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return shorten(super().format(record))


class WeasyPrintHandler(logging.StreamHandler):
    def __init__(self, stream, verbose: bool = False):
        super().__init__(stream)
        self.verbose = verbose
        self.setFormatter(_Formatter("%(levelname)s %(name)s: %(message)s" if verbose
                                     else "WeasyPrint: %(message)s"))

    def filter(self, record: logging.LogRecord) -> bool:
        if self.verbose or record.levelno >= logging.ERROR:
            return True
        return record.levelno >= logging.WARNING and _CSS not in (record.pathname or "")

    def handle(self, record: logging.LogRecord) -> bool:
        if (record.levelno >= logging.ERROR and isinstance(record.msg, str)
                and record.msg.startswith(FATAL)):
            raise ImageNotLoaded(
                f"WeasyPrint could not show an image: {_message(record)}. Every image "
                "was checked when the content was read, so this is a fault of the build, not of "
                "the content; the PDF was not written without it")
        return super().handle(record)


def _message(record: logging.LogRecord) -> str:
    """The record's message, an exception that says nothing told by its cause."""
    def told(arg):
        while isinstance(arg, BaseException) and not str(arg) and arg.__cause__ is not None:
            arg = arg.__cause__
        return f"{type(arg).__name__}: {arg}" if isinstance(arg, BaseException) else arg
    args = tuple(told(a) for a in record.args) if isinstance(record.args, tuple) else record.args
    try:
        return shorten(str(record.msg) % args if args else str(record.msg))
    except (TypeError, ValueError):
        return shorten(record.getMessage())


def install(stream, verbose: bool = False) -> None:
    """Hear WeasyPrint: its errors and its warnings about anything but CSS, or everything."""
    logger = logging.getLogger("weasyprint")
    logger.handlers[:] = [h for h in logger.handlers if not isinstance(h, WeasyPrintHandler)]
    logger.addHandler(WeasyPrintHandler(stream, verbose))
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
