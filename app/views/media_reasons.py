"""Why an uploaded image was refused, in the user's language.

`app/content/media.py` (pure, no Flask) refuses a file with a reason code and its parameters and
keeps the English sentence for `flask content check`; the same sentences are here as translatable
strings, one per code (a test checks the two lists agree)."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from ..services.media import BAD_NAME

REFUSAL_REASONS = {
    "too_big": _l("the file is larger than %(megabytes)s MB"),
    "empty": _l("the file is empty"),
    "markup_in_raster": _l("the file holds web page or script markup besides an image"),
    "too_many_pixels": _l("the image is too large (%(width)s x %(height)s pixels; at most %(megapixels)s million "
                          "pixels and %(side)s pixels a side)"),
    "pixel_bomb": _l("the image is too large (at most %(megapixels)s million pixels)"),
    "animated": _l("animated images are not supported"),
    "not_an_image": _l("the file is not a PNG, JPEG, WebP or SVG image"),
    "damaged": _l("the image is damaged and cannot be read"),
    # Translators: the detail in brackets comes from the XML parser and stays in English.
    "svg_not_xml": _l("the SVG is not well-formed XML (%(detail)s)"),
    "svg_root": _l("the file is neither an image nor an SVG drawing (its root element is not <svg> in the SVG "
                   "namespace)"),
    "svg_too_many_elements": _l("the SVG has more than %(limit)s elements"),
    "svg_doctype": _l("the SVG has a DOCTYPE (entities and DTDs are not allowed)"),
    "svg_entity": _l("the SVG declares an entity (<!ENTITY is not allowed)"),
    "svg_external_entity": _l("the SVG refers to an external entity"),
    "svg_processing_instruction": _l("the SVG has a processing instruction (such as xml-stylesheet)"),
    "svg_script": _l("the SVG contains a script (<%(element)s>), which is not allowed"),
    "svg_foreign_object": _l("the SVG contains foreignObject (HTML inside SVG) (<%(element)s>), which is not "
                             "allowed"),
    "svg_image": _l("the SVG contains an embedded image (<%(element)s>), which is not allowed"),
    "svg_link": _l("the SVG contains a link (<%(element)s>), which is not allowed"),
    "svg_iframe": _l("the SVG contains an iframe (<%(element)s>), which is not allowed"),
    "svg_animation": _l("the SVG contains an animation (<%(element)s>), which is not allowed"),
    "svg_element": _l("the SVG contains an element that is not allowed: <%(element)s>"),
    "svg_style_elements": _l("the SVG's <style> holds elements; only CSS text is allowed"),
    "svg_namespaced_attribute": _l("the SVG has an attribute that is not allowed: %(attribute)s"),
    "svg_event_handler": _l("the SVG has an event handler (%(attribute)s on <%(element)s>), which is not allowed"),
    "svg_attribute": _l("the SVG has an attribute that is not allowed: %(attribute)s on <%(element)s>"),
    "svg_outside_href": _l("the SVG refers to something outside itself (href=%(value)s on <%(element)s>); only "
                           "references to '#id' inside the drawing are allowed"),
    "style_css": _l("<style> uses @import, expressions, escapes or javascript:, which are not allowed"),
    "attribute_css": _l("the %(attribute)s attribute of <%(element)s> uses @import, expressions, escapes or "
                        "javascript:, which are not allowed"),
    "style_url": _l("<style> uses url() to something outside the drawing; only url(#id) is allowed"),
    "attribute_url": _l("the %(attribute)s attribute of <%(element)s> uses url() to something outside the "
                        "drawing; only url(#id) is allowed"),
    BAD_NAME: _l("the file name cannot be used; use letters a-z, digits and '-'"),
}


def refusal_reason(code: str, params: dict[str, str | int], english: str = "") -> str:
    """The reason in the current language; numbers written the language's way. An unknown code
    (a reason added to the content layer but not here) falls back to the English sentence."""
    message = REFUSAL_REASONS.get(code)
    if message is None:
        return english
    return str(message) % {name: format_decimal(value) if isinstance(value, int) else value
                           for name, value in params.items()}
