"""Reading rendered PDFs back with pypdf: text, outline, attachments, metadata, streams."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.generic import IndirectObject, StreamObject


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def page_texts(pdf: bytes) -> list[str]:
    return [squash(page.extract_text()) for page in reader(pdf).pages]


def text(pdf: bytes) -> str:
    return " ".join(page_texts(pdf))


def outline_titles(pdf: bytes) -> list[str]:
    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title

    return list(walk(reader(pdf).outline))


def attachments(pdf: bytes) -> dict[str, list[bytes]]:
    return dict(reader(pdf).attachments)


def xmp(pdf: bytes) -> str:
    root = reader(pdf).trailer["/Root"]
    return root["/Metadata"].get_object().get_data().decode("utf-8")


def catalog_lang(pdf: bytes) -> str:
    return str(reader(pdf).trailer["/Root"]["/Lang"])


def decompressed_streams(pdf: bytes) -> list[bytes]:
    """Every stream object's decoded data (page contents, fonts, files, metadata)."""
    pdf_reader = reader(pdf)
    numbers = set(pdf_reader.xref_objStm)
    for table in pdf_reader.xref.values():
        numbers |= set(table)
    found = []
    for number in sorted(numbers):
        obj = pdf_reader.get_object(IndirectObject(number, 0, pdf_reader))
        if isinstance(obj, StreamObject):
            found.append(obj.get_data())
    return found


def image_count(pdf: bytes, page: int = 0) -> int:
    return len(reader(pdf).pages[page].images)


def font_names(pdf: bytes) -> set[str]:
    """The base font names used on every page, without the subset prefix (ABCDEF+)."""
    names = set()
    for page in reader(pdf).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+", 1)[-1])
    return names
