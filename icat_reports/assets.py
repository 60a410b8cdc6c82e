"""Image references of the model to the images' bytes, read from the content folder only.

The model has already refused absolute paths and '..'; this also refuses a name with a control
character, a link that leads out of the folder, a missing file, and a file that is not really a
PNG or JPEG image: every image is decoded in full once, here, so that one that is truncated or
damaged, too large in pixels or in bytes, or that Word cannot read, is a content problem found
by `check`, not a crash of one renderer while another prints the picture or silently drops it.
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

from .loader import RawContent
from .problems import ContentError, Problem
from .tree import Document

MAX_BYTES = 20 * 1024 * 1024
# 40 megapixels: a poster-sized photograph at print resolution. Pillow is told the same limit
# (PIL.Image.MAX_IMAGE_PIXELS), so that no renderer decodes more than was checked here.
MAX_PIXELS = 40_000_000
_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def fitted(data: bytes, width: float, height: float) -> tuple[float, float]:
    """The size of an image scaled to fit a box of width x height, its shape kept."""
    from PIL import Image
    with Image.open(io.BytesIO(data)) as image:
        w, h = image.size
    scale = min(width / w, height / h)
    return w * scale, h * scale


def image_kind(data: bytes) -> str | None:
    return next((kind for magic, kind in _MAGIC.items() if data.startswith(magic)), None)


def read_images(document: Document, content_dir: Path, raw: RawContent) -> dict[str, bytes]:
    """{file as written in the content: bytes} for every image the content names."""
    folder = Path(content_dir).resolve()
    images, problems = {}, []
    for where, name, image in _references(document, raw):
        data = images.get(image.file)
        problem = None if data is not None else _name_problem(image.file)
        if data is None and problem is None:
            problem, data = _read(folder, image.file)
            problem = problem or image_problem(data)
        if problem:
            problems.append(Problem(where, _shown(name), problem))
        else:
            images[image.file] = data
    if problems:
        raise ContentError(problems)
    return images


def _name_problem(file: str) -> str | None:
    bad = _CONTROL.search(file)
    if bad:
        return (f"the file name contains the control character U+{ord(bad.group()):04X}; "
                "rename the file and write its name as it is")
    return None


def _read(folder: Path, file: str) -> tuple[str | None, bytes]:
    """(why the file cannot be read, or None; its bytes)."""
    try:
        target = (folder / file).resolve()
        if not target.is_relative_to(folder):
            return "the file leads out of the content folder", b""
        if not target.is_file():
            return f"no such file: {file} (relative to the content folder)", b""
        if target.stat().st_size > MAX_BYTES:
            return f"the image is larger than {MAX_BYTES // 2**20} MB", b""
        data = target.read_bytes()
    except (OSError, RuntimeError, ValueError) as error:  # a name too long, a loop of links
        return f"cannot read the file: {getattr(error, 'strerror', None) or error}", b""
    if len(data) > MAX_BYTES:  # it grew since
        return f"the image is larger than {MAX_BYTES // 2**20} MB", b""
    return None, data


def image_problem(data: bytes) -> str | None:
    """Why data is no PNG or JPEG image every renderer can show, or None.

    The image is decoded in full (Pillow, as WeasyPrint does) and its PNG checksums verified,
    and read as Word's writer (python-docx) reads it: no renderer meets it damaged."""
    kind = image_kind(data)
    if kind is None:
        return "the file is not a PNG or JPEG image"
    from PIL import Image, ImageFile
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow refuses twice this, and warns above it
    label, formats = kind.upper(), [kind.upper()]
    opened = False  # its header read: what fails after is in the picture's data
    # WeasyPrint, once imported, has Pillow pad a truncated image out instead of failing.
    lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=formats) as picture:
                opened = True
                size = picture.size
                if size[0] * size[1] > MAX_PIXELS:
                    return _too_large(size)
                picture.load()
            with Image.open(io.BytesIO(data), formats=formats) as picture:
                picture.verify()  # a PNG's chunk checksums, which decoding does not read
    except Image.DecompressionBombError:
        return _too_large(_size(data, formats))
    except Exception as error:  # whatever a hostile file makes the decoder raise
        text = str(error) or type(error).__name__
        if opened and ("truncated" in text.lower() or isinstance(error, EOFError)):
            return (f"the {label} image is truncated: the file ends before the picture does; "
                    "export or download it again")
        if not opened:
            return (f"the file starts as a {label} image but the rest is not one (a damaged file, "
                    "or another kind renamed); export it again as PNG or JPEG")
        return f"the {label} image is damaged ({text[:200]}); export it again as PNG or JPEG"
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    try:
        from docx.image.image import Image as WordImage
        WordImage.from_blob(data)
    except Exception as error:
        return (f"Word cannot read this {label} image ({type(error).__name__}"
                f"{': ' + str(error)[:200] if str(error) else ''}); save it again as PNG")
    return None


def _too_large(size: tuple[int, int]) -> str:
    w, h = size
    return (f"the image is too large: {w:,} x {h:,} pixels ({w * h / 1e6:,.0f} megapixels), "
            f"at most {MAX_PIXELS / 1e6:,.0f} megapixels; scale it down")


def _size(data: bytes, formats: list[str]) -> tuple[int, int]:
    """The size in an image's header, read without Pillow's pixel limit: nothing is decoded."""
    from PIL import Image
    limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
    try:
        with Image.open(io.BytesIO(data), formats=formats) as picture:
            return picture.size
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def _shown(text: str) -> str:
    """text with its control characters escaped, fit for a terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _references(document: Document, raw: RawContent):
    """(where, what to call it, the image) for the cover image, the logo and every figure."""
    for key in ("cover_image", "logo"):
        image = getattr(document.content, key)
        if image is not None:
            yield raw.locate((key, "file")), f"{key}.file", image
    for figure in document.images:
        yield figure.where, f"image '{figure.file}'", figure
