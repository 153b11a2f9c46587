"""Images in lessons: judge an uploaded or synced file by its content and make it safe to serve.

PURE: bytes in, clean bytes (or a MediaError saying why not) out; no Flask, no database.

- PNG, JPEG and WebP are recognised by Pillow from their bytes (never from the name), capped in
  bytes and pixels BEFORE they are decoded, and re-encoded from their pixels, so EXIF, XMP, text
  chunks and anything appended after the image (an HTML "polyglot") are gone.
- SVG is accepted only as static data and stored byte for byte: parsed with the standard library's
  expat without any DTD, entity or processing instruction, every element and attribute on an
  allow-list, no script, no event handler, no foreignObject, no reference outside the file (href and
  url() only to '#id'), its own <style> kept but without @import or external url().

Also the lesson format's side: `image_references(text)` finds `![alt](src "caption")` with its line,
`reference_problems(...)` says what `flask content check` reports about them.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree
from xml.parsers import expat

from PIL import Image, ImageOps, UnidentifiedImageError

from .model import Problem

MAX_MEDIA_BYTES = 2_000_000
MAX_PIXELS = 16_000_000  # e.g. 4000 x 4000: more than any projector shows
MAX_SIDE = 10_000
MAX_SVG_ELEMENTS = 20_000
MEDIA_FOLDER = "media"
# the name a media file may have: lower-case letters, digits, '-' and '_', one known extension
NAME_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*\.(svg|png|jpg|jpeg|webp)$")
CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "SVG": "image/svg+xml"}
EXTENSIONS = {"PNG": ("png",), "JPEG": ("jpg", "jpeg"), "WEBP": ("webp",), "SVG": ("svg",)}
# markup that has no business inside a raster image: a file that is also a web page is refused
MARKUP_IN_RASTER = re.compile(rb"<(?:script|html|body|iframe|svg|!doctype)\b", re.IGNORECASE)


# Why a file is refused: a code, and the English the content checker prints. The web pages show the
# same reason in the user's language from the code and its parameters (app/views/media_reasons.py).
REASONS = {
    "too_big": "the file is larger than {megabytes} MB",
    "empty": "the file is empty",
    "markup_in_raster": "the file holds web page or script markup besides an image",
    "too_many_pixels": "the image is too large ({width} x {height} pixels; at most {megapixels} million pixels "
                       "and {side} pixels a side)",
    "pixel_bomb": "the image is too large (at most {megapixels} million pixels)",
    "animated": "animated images are not supported",
    "not_an_image": "the file is not a PNG, JPEG, WebP or SVG image",
    "damaged": "the image is damaged and cannot be read",
    "svg_not_xml": "the SVG is not well-formed XML ({detail})",
    "svg_root": "the file is neither an image nor an SVG drawing (its root element is not <svg> in the SVG "
                "namespace)",
    "svg_too_many_elements": "the SVG has more than {limit} elements",
    "svg_doctype": "the SVG has a DOCTYPE (entities and DTDs are not allowed)",
    "svg_entity": "the SVG declares an entity (<!ENTITY is not allowed)",
    "svg_external_entity": "the SVG refers to an external entity",
    "svg_processing_instruction": "the SVG has a processing instruction (such as xml-stylesheet)",
    "svg_script": "the SVG contains a script (<{element}>), which is not allowed",
    "svg_foreign_object": "the SVG contains foreignObject (HTML inside SVG) (<{element}>), which is not allowed",
    "svg_image": "the SVG contains an embedded image (<{element}>), which is not allowed",
    "svg_link": "the SVG contains a link (<{element}>), which is not allowed",
    "svg_iframe": "the SVG contains an iframe (<{element}>), which is not allowed",
    "svg_animation": "the SVG contains an animation (<{element}>), which is not allowed",
    "svg_element": "the SVG contains an element that is not allowed: <{element}>",
    "svg_style_elements": "the SVG's <style> holds elements; only CSS text is allowed",
    "svg_namespaced_attribute": "the SVG has an attribute that is not allowed: {attribute}",
    "svg_event_handler": "the SVG has an event handler ({attribute} on <{element}>), which is not allowed",
    "svg_attribute": "the SVG has an attribute that is not allowed: {attribute} on <{element}>",
    "svg_outside_href": "the SVG refers to something outside itself (href={value} on <{element}>); only "
                        "references to '#id' inside the drawing are allowed",
    "style_css": "<style> uses @import, expressions, escapes or javascript:, which are not allowed",
    "attribute_css": "the {attribute} attribute of <{element}> uses @import, expressions, escapes or "
                     "javascript:, which are not allowed",
    "style_url": "<style> uses url() to something outside the drawing; only url(#id) is allowed",
    "attribute_url": "the {attribute} attribute of <{element}> uses url() to something outside the drawing; "
                     "only url(#id) is allowed",
}


class MediaError(ValueError):
    """The file is not an image Lesmark accepts: `code` (a key of REASONS) and `params` say why;
    str() is the English sentence (for `flask content check` and logs)."""

    def __init__(self, code: str, **params: str | int):
        super().__init__(REASONS[code].format(**params))
        self.code = code
        self.params = params


@dataclass(frozen=True)
class CleanMedia:
    data: bytes
    kind: str  # PNG | JPEG | WEBP | SVG
    width: int | None
    height: int | None

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def clean_media(data: bytes) -> CleanMedia:
    """The safe form of an image file (raster: re-encoded; SVG: the same bytes), or MediaError."""
    if len(data) > MAX_MEDIA_BYTES:
        raise MediaError("too_big", megabytes=MAX_MEDIA_BYTES // 1_000_000)
    if not data:
        raise MediaError("empty")
    if looks_like_xml(data):
        return clean_svg(data)
    return clean_raster(data)


def kind_matches_name(kind: str, name: str) -> bool:
    return name.rsplit(".", 1)[-1].lower() in EXTENSIONS[kind]


def name_for(name: str, kind: str) -> str:
    """`name` with the extension of what the file really is (a JPEG called x.png becomes x.jpg)."""
    return f"{name.rsplit('.', 1)[0]}.{EXTENSIONS[kind][0]}"


# --- raster images ---------------------------------------------------------------------------

def clean_raster(data: bytes) -> CleanMedia:
    if MARKUP_IN_RASTER.search(data):
        raise MediaError("markup_in_raster")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=("PNG", "JPEG", "WEBP"))
            width, height = image.size  # from the header: nothing is decoded yet
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise MediaError("too_many_pixels", width=width, height=height,
                                 megapixels=MAX_PIXELS // 1_000_000, side=MAX_SIDE)
            kind = image.format or ""
            if getattr(image, "n_frames", 1) > 1:
                raise MediaError("animated")
            image.load()
            upright = ImageOps.exif_transpose(image)  # keep photos upright once EXIF is gone
            return CleanMedia(encode(upright, kind), kind, upright.width, upright.height)
    except MediaError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # Pillow's own, higher cap
        raise MediaError("pixel_bomb", megapixels=MAX_PIXELS // 1_000_000) from None
    except UnidentifiedImageError:
        raise MediaError("not_an_image") from None
    except (OSError, ValueError, SyntaxError, EOFError):  # Pillow's ways of saying "broken file"
        raise MediaError("damaged") from None


def encode(image: Image.Image, kind: str) -> bytes:
    """Pixels only: no EXIF, XMP, ICC profile, comments or text chunks are passed on."""
    out = io.BytesIO()
    if kind == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=90, optimize=True)
    elif kind == "WEBP":
        image.save(out, "WEBP", quality=90)
    else:
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


# --- SVG as static data ----------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
SVG_ELEMENTS = {
    "svg", "g", "defs", "title", "desc", "style", "symbol", "use", "marker", "clipPath", "mask", "pattern",
    "linearGradient", "radialGradient", "stop", "path", "rect", "circle", "ellipse", "line", "polyline",
    "polygon", "text", "tspan", "textPath", "switch", "filter", "feGaussianBlur", "feOffset", "feFlood",
    "feComposite", "feMerge", "feMergeNode", "feBlend", "feColorMatrix", "feDropShadow",
}
REFUSED_ELEMENTS = {  # each has its own reason, so an author knows what to remove
    "script": "svg_script", "foreignObject": "svg_foreign_object", "image": "svg_image", "a": "svg_link",
    "iframe": "svg_iframe", "animate": "svg_animation", "set": "svg_animation", "animateTransform": "svg_animation",
    "animateMotion": "svg_animation", "handler": "svg_script",
}
SVG_ATTRIBUTES = {
    "id", "class", "style", "lang", "viewBox", "preserveAspectRatio", "width", "height", "x", "y", "x1", "y1",
    "x2", "y2", "cx", "cy", "r", "rx", "ry", "d", "points", "transform", "fill", "fill-opacity", "fill-rule",
    "stroke", "stroke-width", "stroke-opacity", "stroke-linecap", "stroke-linejoin", "stroke-dasharray",
    "stroke-dashoffset", "stroke-miterlimit", "opacity", "color", "font-family", "font-size", "font-weight",
    "font-style", "font-variant", "text-anchor", "dominant-baseline", "alignment-baseline", "baseline-shift",
    "letter-spacing", "word-spacing", "text-decoration", "dx", "dy", "rotate", "textLength", "lengthAdjust",
    "visibility", "display", "clip-path", "clip-rule", "mask", "marker-start", "marker-mid", "marker-end",
    "markerWidth", "markerHeight", "markerUnits", "refX", "refY", "orient", "offset", "stop-color",
    "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod", "fx", "fy", "fr", "patternUnits",
    "patternContentUnits", "patternTransform", "clipPathUnits", "maskUnits", "maskContentUnits", "href",
    "role", "aria-label", "aria-labelledby", "aria-describedby", "aria-hidden", "focusable", "version",
    "xmlns", "vector-effect", "paint-order", "shape-rendering", "text-rendering", "filter", "stdDeviation",
    "in", "in2", "result", "mode", "operator", "k1", "k2", "k3", "k4", "values", "type", "flood-color",
    "flood-opacity", "filterUnits", "primitiveUnits", "media", "white-space", "startOffset", "method",
    "spacing", "side", "overflow", "requiredFeatures", "systemLanguage", "writing-mode", "direction",
    "unicode-bidi", "font-stretch", "mix-blend-mode", "isolation", "pathLength",
}
NAMESPACED_ATTRIBUTES = {f"{{{XLINK_NS}}}href": "href", f"{{{XML_NS}}}lang": "lang", f"{{{XML_NS}}}space": "space"}
LOCAL_URL = re.compile(r"url\(\s*(['\"]?)#[\w.:-]+\1\s*\)", re.IGNORECASE)
ANY_URL = re.compile(r"url\s*\(", re.IGNORECASE)
CSS_DANGER = re.compile(r"@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding|\\", re.IGNORECASE)


def looks_like_xml(data: bytes) -> bool:
    head = data[:256].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def clean_svg(data: bytes) -> CleanMedia:
    refuse_declarations(data)
    try:
        # safe here: refuse_declarations() has refused every DOCTYPE, entity and instruction
        root = ElementTree.fromstring(data)  # noqa: S314
    except ElementTree.ParseError as exc:
        raise MediaError("svg_not_xml", detail=str(exc)) from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise MediaError("svg_root")
    for count, element in enumerate(root.iter(), start=1):
        if count > MAX_SVG_ELEMENTS:
            raise MediaError("svg_too_many_elements", limit=MAX_SVG_ELEMENTS)
        check_svg_element(element)
    width, height = svg_size(root)
    return CleanMedia(data, "SVG", width, height)


def refuse_declarations(data: bytes) -> None:
    """A DOCTYPE (and with it every entity) and processing instructions such as xml-stylesheet
    are refused before the document is built: they are how XML reaches outside a file."""
    def refuse(code):
        def handler(*_args):
            raise MediaError(code)
        return handler

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = refuse("svg_doctype")
    parser.EntityDeclHandler = refuse("svg_entity")
    parser.ExternalEntityRefHandler = refuse("svg_external_entity")
    parser.ProcessingInstructionHandler = refuse("svg_processing_instruction")
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise MediaError("svg_not_xml", detail=f"{expat.errors.messages[exc.code]}, line {exc.lineno}") from None


def check_svg_element(element: ElementTree.Element) -> None:
    namespace, _, name = element.tag[1:].partition("}") if element.tag.startswith("{") else ("", "", element.tag)
    if name in REFUSED_ELEMENTS:
        raise MediaError(REFUSED_ELEMENTS[name], element=name)
    if namespace != SVG_NS or name not in SVG_ELEMENTS:
        raise MediaError("svg_element", element=name)
    if name == "style":
        check_css(element.text or "")
        if len(element):
            raise MediaError("svg_style_elements")
    for attribute, value in element.attrib.items():
        if attribute.startswith("{"):
            if attribute not in NAMESPACED_ATTRIBUTES:
                raise MediaError("svg_namespaced_attribute", attribute=attribute)
            local = NAMESPACED_ATTRIBUTES[attribute]
        else:
            local = attribute
        if local.lower().startswith("on"):
            raise MediaError("svg_event_handler", attribute=local, element=name)
        if local not in SVG_ATTRIBUTES and local != "space":
            raise MediaError("svg_attribute", attribute=local, element=name)
        if local == "href" and not value.strip().startswith("#"):
            raise MediaError("svg_outside_href", value=repr(value[:60]), element=name)
        check_css(value, local, name)


def check_css(text: str, attribute: str | None = None, element: str | None = None) -> None:
    """CSS of a <style> element (no attribute) or of an attribute of `element`."""
    where: dict[str, str | int] = {} if attribute is None else {"attribute": attribute, "element": element or ""}
    if CSS_DANGER.search(text):
        raise MediaError("attribute_css" if where else "style_css", **where)
    if len(ANY_URL.findall(text)) != len(LOCAL_URL.findall(text)):
        raise MediaError("attribute_url" if where else "style_url", **where)


def svg_size(root: ElementTree.Element) -> tuple[int | None, int | None]:
    """The drawing's size in user units: from width/height, else from the viewBox."""
    def number(value: str | None) -> int | None:
        match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(?:px)?\s*", value or "")
        return round(float(match.group(1))) if match else None

    width, height = number(root.get("width")), number(root.get("height"))
    if width and height:
        return width, height
    box = (root.get("viewBox") or "").replace(",", " ").split()
    try:
        return round(float(box[2])), round(float(box[3]))
    except (IndexError, ValueError):
        return None, None


# --- where media files live ------------------------------------------------------------------

def media_path(course_folder: str, name: str) -> str:
    return f"lessons/{course_folder}/{MEDIA_FOLDER}/{name}"


def is_media_path(path: str) -> bool:
    """lessons/<folder>/media/<name> with a name Lesmark accepts."""
    parts = path.split("/")
    return (len(parts) == 4 and parts[0] == "lessons" and parts[2] == MEDIA_FOLDER and bool(parts[1])
            and not parts[1].startswith(".") and NAME_PATTERN.match(parts[3]) is not None)


def media_url(path: str, sha256: str) -> str:
    """The URL a page uses: the hash in it lets browsers cache the file for good."""
    _, folder, _, name = path.split("/")
    return f"/media/{folder}/{name}?v={sha256[:8]}"


# --- images in lesson Markdown ---------------------------------------------------------------

# ![alt](src) or ![alt](src "caption"); the alt text may not hold ']'
IMAGE = re.compile(r"!\[(?P<alt>[^\]\n]*)\]\(\s*<?(?P<src>[^\s)>]*)>?(?:\s+(?P<q>[\"'])(?P<title>.*?)(?P=q))?\s*\)")
FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class ImageReference:
    line: int
    alt: str
    src: str
    title: str | None


def image_references(text: str) -> list[ImageReference]:
    """Every Markdown image of a text with its line (outside fenced code). (An HTML <img> needs no
    check: the sanitiser keeps an image only when its source is the site's own /media/.)"""
    images: list[ImageReference] = []
    fenced = False
    for number, line in enumerate(text.split("\n"), start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        images.extend(ImageReference(number, m.group("alt").strip(), m.group("src"), m.group("title"))
                      for m in IMAGE.finditer(line))
    return images


def resolve(course_folder: str, src: str) -> str | None:
    """The media path a lesson's `media/<name>` points at, or None for anything else."""
    if not src.startswith(f"{MEDIA_FOLDER}/"):
        return None
    path = media_path(course_folder, src[len(MEDIA_FOLDER) + 1:])
    return path if is_media_path(path) else None


def reference_problems(path: str, text: str, media: Mapping[str, str]) -> tuple[list[Problem], dict[str, str]]:
    """What `flask content check` says about the images of one lesson or quiz file, and the URL of
    every image it may show ({src as written: /media/... URL}). `media` is {media path: sha256}."""
    folder = PurePosixPath(path).parts[1]
    problems: list[Problem] = []
    urls: dict[str, str] = {}
    for image in image_references(text):
        if "://" in image.src or image.src.startswith(("//", "data:", "/")):
            problems.append(Problem(path, image.line, f"image {image.src[:80]!r} is not in this course: put the "
                                                      "file in the course's media/ folder and write media/<name>"))
            continue
        target = resolve(folder, image.src)
        if target is None:
            problems.append(Problem(path, image.line, f"image {image.src[:80]!r}: write media/<name> (a-z, 0-9, "
                                                      "'-', '_'; .svg, .png, .jpg or .webp)"))
        elif target not in media:
            problems.append(Problem(path, image.line, f"missing media file {target}"))
        else:
            urls[image.src] = media_url(target, media[target])
        if not image.alt:
            problems.append(Problem(path, image.line, f"image {image.src[:80]!r} has no alt text: describe "
                                                      "what it shows between the brackets"))
    return problems, urls


def read_media_tree(root: Path) -> tuple[dict[str, bytes], list[Problem]]:
    """Every file in lessons/<course>/media/ under root, as bytes (same safety rules as the texts)."""
    from .loader import _folder_inside, _listing, read_file_bytes

    root = Path(root)
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    try:
        real_root = root.resolve(strict=True)
    except (OSError, RuntimeError):
        return files, problems
    lessons = root / "lessons"
    if not _folder_inside(lessons, "lessons", real_root, problems):
        return files, problems
    for course_dir in _listing(lessons, "lessons", problems):
        folder = course_dir / MEDIA_FOLDER
        rel_folder = f"lessons/{course_dir.name}/{MEDIA_FOLDER}"
        if not _folder_inside(folder, rel_folder, real_root, problems):
            continue
        for file in _listing(folder, rel_folder, problems):
            rel = f"{rel_folder}/{file.name}"
            if not is_media_path(rel):
                problems.append(Problem(rel, 1, "media file name: use a-z, 0-9, '-' and '_' and end in .svg, .png, "
                                                ".jpg, .jpeg or .webp"))
                continue
            try:
                files[rel] = read_file_bytes(file, real_root, MAX_MEDIA_BYTES)
            except Exception as exc:  # ContentError: one problem at line 1
                problems.extend(getattr(exc, "problems", [Problem(rel, 1, "file cannot be read")]))
    return files, problems


def check_media_files(files: dict[str, bytes]) -> tuple[dict[str, CleanMedia], list[Problem]]:
    """Judge every media file; those that pass, cleaned, and a problem for each that does not."""
    clean: dict[str, CleanMedia] = {}
    problems: list[Problem] = []
    for path, data in sorted(files.items()):
        try:
            media = clean_media(data)
        except MediaError as exc:
            problems.append(Problem(path, 1, str(exc)))
            continue
        if not kind_matches_name(media.kind, path):
            problems.append(Problem(path, 1, f"the file is a {media.kind} image but its name says otherwise: "
                                             f"rename it to {name_for(path.rsplit('/', 1)[1], media.kind)}"))
            continue
        clean[path] = media
    return clean, problems
