"""A sweep over every route: anonymous visitors, bad input and missing CSRF never cause a 500."""

import pytest
from werkzeug.routing.converters import AnyConverter, NumberConverter

from ..support import csrf_token
from .helpers import QUESTION_SLIDE

SAMPLE_ARGS = {"slug": "nl-l1", "position": 1, "attempt_id": 1}
PUBLIC = {"main.index", "main.healthz", "auth.login", "auth.register", "learn.course", "learn.glossary",
          "static", "api-docs.openapi_json", "media.file"}
API = "api."  # the JSON API: bearer tokens, no cookies, so no login redirect and no CSRF token (401 instead)


def sample_value(rule, name: str):
    """A value the rule accepts, also for arguments added after this test was written."""
    if name in SAMPLE_ARGS:
        return SAMPLE_ARGS[name]
    converter = rule._converters[name]
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    if isinstance(converter, NumberConverter):  # int and float
        return 1
    return "nl-l1"


def routes(app):
    for rule in app.url_map.iter_rules():
        args = {name: sample_value(rule, name) for name in rule.arguments if name != "filename"}
        if rule.endpoint == "static":
            continue
        if rule.endpoint.startswith("learn.course") or rule.endpoint == "learn.glossary":
            args["slug"] = "nl-klantrelaties"
        if rule.endpoint == "media.file":  # a figure of the shipped Dutch course
            args.update(course="nl-klantrelaties", name="klantpiramide.svg")
        path = rule.build(args)[1] if args else rule.rule
        yield rule, path


def test_every_get_route_is_public_or_sends_anonymous_visitors_to_login(app, client):
    seen = 0
    for rule, path in routes(app):
        if "GET" not in rule.methods:
            continue
        seen += 1
        response = client.get(path)
        if rule.endpoint in PUBLIC:
            assert response.status_code == 200, path
        elif rule.endpoint.startswith(API):
            assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer"), path
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], path
    assert seen >= 12


CSRF_REFUSAL = "This form has expired or was not sent from this site."


def test_every_post_route_refuses_a_missing_or_forged_csrf_token(app, client, student):
    seen = 0
    for rule, path in routes(app):
        if "POST" not in rule.methods:
            continue
        seen += 1
        for token in (None, "forged-token", ""):
            data = {"option": "0"} if token is None else {"option": "0", "csrf_token": token}
            response = client.post(path, data=data, headers={"Accept-Language": "en"})
            if rule.endpoint.startswith(API):  # the session cookie of `student` counts for nothing there
                assert response.status_code == 401, (path, token)
                continue
            assert response.status_code == 400, (path, token)
            assert CSRF_REFUSAL in response.get_data(as_text=True), (path, token)
    assert seen >= 5


@pytest.mark.parametrize("junk", ["", "x" * 5000, "\x00", "'; DROP TABLE users; --", "../../etc/passwd", "%00"])
def test_strange_path_parameters_are_4xx_not_500(client, student, junk):
    for template in ("/lessons/{}/", "/lessons/{}/slides/1", "/courses/{}/", "/courses/{}/glossary",
                     "/lessons/{}/handout", "/lessons/{}/quiz", "/attempts/{}"):
        response = client.get(template.format(junk))
        # 404 for ids that cannot exist, 400 for NUL bytes, 308 where Werkzeug merges slashes
        assert response.status_code in (400, 404, 308), (template, junk[:20], response.status_code)


def test_wrong_types_in_forms_are_4xx(app, client, student):
    token = csrf_token(client, "/")
    response = client.post("/language", data={"csrf_token": token, "language": ["nl", "hu"]})
    assert response.status_code == 303  # a repeated field: the first value counts, like every form here
    response = client.post("/lessons/nl-l1/slides/1/answer", data={"csrf_token": token, "version": "abc"})
    assert response.status_code == 404  # slide 1 is not a question
    response = client.post(f"/lessons/nl-l1/slides/{QUESTION_SLIDE}/answer", data={"csrf_token": token, "version": "abc", "option": "0"})
    assert response.status_code == 400


@pytest.mark.parametrize("field", ["username", "password"])
def test_nul_bytes_in_form_input_are_a_400(client, field):
    token = csrf_token(client, "/login")
    data = {"csrf_token": token, "username": "someone", "password": "whatever-long", field: "a\x00b"}
    assert client.post("/login", data=data).status_code == 400
    assert client.get("/?language=nl%00").status_code == 400
