"""An Office file's zip bytes to the same bytes for the same content (.docx and .pptx).

python-docx and python-pptx stamp every zip entry with the current time; this re-stamps
each with the build time (SOURCE_DATE_EPOCH when set), keeping the entries' order.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile


def stable_zip(data: bytes, built: dt.datetime) -> bytes:
    stamp = max(built.astimezone(dt.timezone.utc).timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()
