"""Images for lessons: judged by content, raster images re-encoded without metadata, SVG accepted
only as static data; the lesson format's figures and what `flask content check` says about them."""

from __future__ import annotations

import io
import struct
import time
import zlib

import pytest
from PIL import Image

from app.content.media import (
    MediaError,
    check_media_files,
    clean_media,
    image_references,
    name_for,
    read_media_tree,
    reference_problems,
)
from app.content.model import Problem
from app.content.render import render_markdown
from app.content.site import build_site
from app.services.media import upload_name
from tests.unit.test_loader import COURSE, lesson, write_tree

SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
       b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100" role="img" aria-labelledby="t">'
       b'<title id="t">Piramide</title><style>rect{fill:#fff} @media (prefers-color-scheme: dark)'
       b'{rect{fill:#000}}</style><defs><marker id="m"><path d="M0 0L5 5"/></marker></defs>'
       b'<rect width="200" height="100" fill="url(#g)"/><line x1="0" y1="0" x2="9" y2="9" marker-end="url(#m)"/>'
       b'<use href="#m"/><text x="10" y="50" font-size="12">Klant</text></svg>')


def png(size=(4, 3), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG", **save)
    return out.getvalue()


def jpeg(size=(8, 6), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, "JPEG", **save)
    return out.getvalue()


def exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera Inc"  # Make
    exif[0x0131] = "Editor 1.0"  # Software
    return exif


def svg(body: bytes) -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">' + body + b"</svg>"


# --- raster images -------------------------------------------------------------------------------

def test_a_png_with_exif_and_text_chunks_comes_out_with_neither():
    from PIL.PngImagePlugin import PngInfo
    info = PngInfo()
    info.add_text("Author", "Jan de Vries, Dorpsstraat 1")
    data = png(exif=exif_with_gps(), pnginfo=info)
    assert b"SecretCamera" in data and b"Dorpsstraat" in data  # the test file really has them

    clean = clean_media(data)

    assert clean.kind == "PNG" and clean.content_type == "image/png" and (clean.width, clean.height) == (4, 3)
    assert b"SecretCamera" not in clean.data and b"Dorpsstraat" not in clean.data
    reopened = Image.open(io.BytesIO(clean.data))
    assert dict(reopened.getexif()) == {} and "Author" not in reopened.info
    assert reopened.getpixel((0, 0)) == (200, 30, 30)


def test_a_jpeg_with_exif_comes_out_without_it():
    data = jpeg(exif=exif_with_gps())
    assert b"SecretCamera" in data
    clean = clean_media(data)
    assert clean.kind == "JPEG" and b"SecretCamera" not in clean.data and b"Exif" not in clean.data


def test_a_jpeg_named_png_is_judged_by_its_content():
    assert clean_media(jpeg()).kind == "JPEG"
    clean, problems = check_media_files({"lessons/demo/media/foto.png": jpeg()})
    assert clean == {}
    assert problems == [Problem("lessons/demo/media/foto.png", 1, "the file is a JPEG image but its name says "
                                                                  "otherwise: rename it to foto.jpg")]
    assert name_for(upload_name("Foto.PNG"), "JPEG") == "foto.jpg"  # an upload is stored under its real type


def test_upload_names_become_safe_media_names():
    assert upload_name("Klant Piramide (1).SVG") == "klant-piramide-1.svg"
    assert upload_name("../../etc/passwd.png") == "passwd.png"
    assert upload_name("C:\\Users\\jan\\Ügyfél kör.png") == "ugyfel-kor.png"


def test_an_html_page_is_refused():
    with pytest.raises(MediaError, match="neither an image nor an SVG"):
        clean_media(b"<html><body><script>alert(1)</script></body></html>")
    with pytest.raises(MediaError, match="DOCTYPE"):
        clean_media(b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")
    with pytest.raises(MediaError, match="not well-formed"):
        clean_media(b"<p>not XML<br></p>")


def test_a_png_that_is_also_a_web_page_is_refused():
    polyglot = png() + b"<html><script>alert(document.cookie)</script></html>"
    with pytest.raises(MediaError, match="web page or script markup"):
        clean_media(polyglot)


def test_random_bytes_and_a_truncated_png_are_refused():
    with pytest.raises(MediaError, match="not a PNG, JPEG, WebP or SVG"):
        clean_media(b"GIF89a" + bytes(100))
    with pytest.raises(MediaError, match="damaged"):
        clean_media(png((50, 50))[:60])


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG file that claims a huge size: a decompression bomb's header."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))


def test_a_pixel_bomb_is_refused_from_its_header_quickly():
    started = time.perf_counter()
    with pytest.raises(MediaError, match=r"too large \(5000 x 5000 pixels"):
        clean_media(png_header_only(5_000, 5_000))  # 25 million pixels in 100 bytes
    with pytest.raises(MediaError, match=r"too large \(20000 x 100 pixels"):
        clean_media(png_header_only(20_000, 100))  # few pixels, but too wide
    with pytest.raises(MediaError, match="too large"):
        clean_media(png_header_only(60_000, 60_000))  # 3.6 billion: Pillow's own cap speaks first
    assert time.perf_counter() - started < 0.5


def test_a_file_over_the_byte_limit_is_refused_unread():
    with pytest.raises(MediaError, match="larger than 2 MB"):
        clean_media(b"\x89PNG" + bytes(2_000_001))


# --- SVG -------------------------------------------------------------------------------------------

def test_a_static_svg_with_its_own_dark_mode_style_is_kept_byte_for_byte():
    clean = clean_media(SVG)
    assert clean.data == SVG and clean.kind == "SVG" and clean.content_type == "image/svg+xml"
    assert (clean.width, clean.height) == (200, 100)  # from the viewBox


@pytest.mark.parametrize(("body", "reason"), [
    (b"<script>alert(1)</script>", "a script"),
    (b'<rect width="1" height="1" onclick="alert(1)"/>', "event handler"),
    (b'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>', "foreignObject"),
    (b'<use href="https://evil.example/x.svg#a"/>', "outside itself"),
    (b'<use xlink:href="data:image/svg+xml,x"/>', "outside itself"),
    (b'<rect style="fill:url(https://evil.example/p)"/>', "url()"),
    (b"<style>@import url(https://evil.example/x.css);</style>", "@import"),
    (b"<style>rect{background:url(//evil.example/x.png)}</style>", "url()"),
    (b'<image href="photo.png"/>', "an embedded image"),
    (b'<a href="https://evil.example"><text>x</text></a>', "a link"),
    (b'<set attributeName="href" to="javascript:alert(1)"/>', "an animation"),
    (b'<iframe xmlns="http://www.w3.org/1999/xhtml" src="x"/>', "an iframe"),
])
def test_an_svg_that_could_act_or_reach_outside_is_refused(body, reason):
    with pytest.raises(MediaError, match=reason):
        clean_media(svg(body))


def test_an_svg_with_the_onload_attribute_on_its_root_is_refused():
    with pytest.raises(MediaError, match=r"event handler \(onload on <svg>\)"):
        clean_media(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')


def test_an_svg_with_a_doctype_or_entity_is_refused_before_it_expands():
    laughs = (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
              b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>')
    with pytest.raises(MediaError, match="DOCTYPE"):
        clean_media(laughs)
    external = (b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>')
    with pytest.raises(MediaError, match="DOCTYPE"):
        clean_media(external)


def test_an_xml_stylesheet_instruction_is_refused():
    with pytest.raises(MediaError, match="processing instruction"):
        clean_media(b'<?xml-stylesheet href="https://evil.example/x.css"?><svg xmlns="http://www.w3.org/2000/svg"/>')


def test_xml_outside_the_svg_namespace_is_refused():
    with pytest.raises(MediaError, match="root element is not <svg>"):
        clean_media(b"<svg><rect/></svg>")  # no namespace: a browser would not draw it as SVG either


# --- the lesson format -----------------------------------------------------------------------------

MEDIA = {"lessons/demo/media/piramide.svg": "ab12cd34" + "0" * 56}


def test_a_figure_is_an_image_alone_in_its_paragraph_with_a_title():
    urls = {"media/piramide.svg": "/media/demo/piramide.svg?v=ab12cd34"}
    html = render_markdown('![De klantpiramide](media/piramide.svg "Vier soorten klanten")', media=urls)
    assert html == ('<figure><a class="figure-link" href="/media/demo/piramide.svg?v=ab12cd34" rel="noopener noreferrer">'
                    '<img alt="De klantpiramide" src="/media/demo/piramide.svg?v=ab12cd34"></a>'
                    "<figcaption>Vier soorten klanten</figcaption></figure>")
    inline = render_markdown("Zie ![pijl](media/piramide.svg) hier", media=urls)
    assert inline == '<p>Zie <img alt="pijl" src="/media/demo/piramide.svg?v=ab12cd34"> hier</p>'


def test_an_image_that_is_not_a_known_media_file_is_not_rendered():
    html = render_markdown('Tekst ![logo](https://evil.example/x.png) <img src="https://evil.example/y.png" '
                           'alt="y"> ![mis](media/weg.svg)', media={})
    assert "evil.example" not in html and "src=" not in html
    assert html.startswith("<p>Tekst logo ")


def test_content_check_reports_image_problems_at_their_line():
    text = ("---\nid: demo-l1\n---\n\n# Les\n\n"
            '![](media/piramide.svg "Geen alt")\n'  # line 7
            "![Weg](media/weg.svg)\n"  # line 8
            "![Extern](https://example.org/x.png)\n"  # line 9
            "![Buiten](../../secret.png)\n"  # line 10
            "```\n![code](niet/gecontroleerd.png)\n```\n")
    problems, urls = reference_problems("lessons/demo/01-a.md", text, MEDIA)
    assert [(p.line, p.message) for p in problems] == [
        (7, "image 'media/piramide.svg' has no alt text: describe what it shows between the brackets"),
        (8, "missing media file lessons/demo/media/weg.svg"),
        (9, "image 'https://example.org/x.png' is not in this course: put the file in the course's media/ "
            "folder and write media/<name>"),
        (10, "image '../../secret.png': write media/<name> (a-z, 0-9, '-', '_'; .svg, .png, .jpg or .webp)"),
    ]
    assert urls == {"media/piramide.svg": "/media/demo/piramide.svg?v=ab12cd34"}
    assert [i.line for i in image_references(text)] == [7, 8, 9, 10]


def test_the_site_build_reports_a_missing_figure_and_renders_the_lesson_with_the_present_one():
    files = {"lessons/demo/course.md": COURSE,
             "lessons/demo/01-a.md": lesson(1) + '\n---\n\n# Figuur\n\n![Piramide](media/piramide.svg "De piramide")\n'
                                               "\n![Cirkel](media/cirkel.svg \"De cirkel\")\n"}
    build = build_site(files, MEDIA)
    line = files["lessons/demo/01-a.md"].split("\n").index("![Cirkel](media/cirkel.svg \"De cirkel\")") + 1
    assert build.problems == [Problem("lessons/demo/01-a.md", line, "missing media file lessons/demo/media/cirkel.svg")]
    body = build.lessons["demo-l1"].rendered.screens[1].body_html
    assert ('<img alt="Piramide" src="/media/demo/piramide.svg?v=ab12cd34"></a><figcaption>De piramide') in body
    assert "cirkel" not in body.replace("Cirkel", "")


def test_a_changed_image_changes_the_lesson_hash_and_a_lesson_without_images_keeps_its_own():
    with_image = {"lessons/demo/course.md": COURSE,
                  "lessons/demo/01-a.md": lesson(1) + '\n![Piramide](media/piramide.svg "P")\n',
                  "lessons/demo/02-b.md": lesson(2)}
    first = build_site(with_image, MEDIA)
    second = build_site(with_image, {"lessons/demo/media/piramide.svg": "ff" * 32})
    assert first.lessons["demo-l1"].content_hash != second.lessons["demo-l1"].content_hash
    assert first.lessons["demo-l2"].content_hash == second.lessons["demo-l2"].content_hash
    assert build_site(with_image).lessons["demo-l2"].content_hash == first.lessons["demo-l2"].content_hash


def test_the_media_folder_is_read_as_bytes_and_odd_names_are_problems(tmp_path):
    root = write_tree(tmp_path, {"lessons/demo/course.md": COURSE})
    (root / "lessons/demo/media").mkdir()
    (root / "lessons/demo/media/piramide.svg").write_bytes(SVG)
    (root / "lessons/demo/media/Foto Klas.PNG").write_bytes(png())
    (root / "lessons/demo/media/.DS_Store").write_bytes(b"\x00")
    files, problems = read_media_tree(root)
    assert files == {"lessons/demo/media/piramide.svg": SVG}
    assert [(p.path, p.line) for p in problems] == [("lessons/demo/media/Foto Klas.PNG", 1)]


def test_every_shipped_figure_is_accepted_as_it_is():
    from tests.support import ROOT
    files, problems = read_media_tree(ROOT)
    clean, refused = check_media_files(files)
    assert problems == [] and refused == []
    assert all(clean[path].data == data for path, data in files.items())
