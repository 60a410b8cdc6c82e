"""Adapters of the engines the renderers drive (WeasyPrint, python-docx, python-pptx).

Each module says what it saves or mends; none knows the content. The renderers in render/
use them; nothing here is a renderer.
"""
