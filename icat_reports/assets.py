"""Image references of the model to the images' bytes, read from the content folder only.

The model has already refused absolute paths and '..'; this also refuses a link that leads
out of the folder, a missing file and a file that is not really a PNG or JPEG image.
"""

from __future__ import annotations

from pathlib import Path

from .loader import RawContent
from .problems import ContentError, Problem
from .tree import Document

MAX_BYTES = 20 * 1024 * 1024
_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg"}


def fitted(data: bytes, width: float, height: float) -> tuple[float, float]:
    """The size of an image scaled to fit a box of width x height, its shape kept."""
    import io

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
        target = (folder / image.file).resolve()
        if not target.is_relative_to(folder):
            problems.append(Problem(where, name, "the file leads out of the content folder"))
        elif not target.is_file():
            problems.append(Problem(where, name, f"no such file: {image.file} (relative to the content folder)"))
        elif target.stat().st_size > MAX_BYTES:
            problems.append(Problem(where, name, f"the image is larger than {MAX_BYTES // 2**20} MB"))
        else:
            data = target.read_bytes()
            if image_kind(data) is None:
                problems.append(Problem(where, name, "the file is not a PNG or JPEG image"))
            else:
                images[image.file] = data
    if problems:
        raise ContentError(problems)
    return images


def _references(document: Document, raw: RawContent):
    """(where, what to call it, the image) for the cover image and every figure."""
    cover = document.content.cover_image
    if cover is not None:
        yield raw.locate(("cover_image", "file")), "cover_image.file", cover
    for figure in document.images:
        yield figure.where, f"image '{figure.file}'", figure
