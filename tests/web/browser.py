"""A logged-in browser whose cookie is sent by hand: the same request can be sent twice with the very
same session (tests of what is answered below Flask: test_kept_slides.py, test_direct_submissions.py)."""

from sqlalchemy import update

from app.extensions import db
from app.models import User
from tests.conftest import PASSWORD, new_user
from tests.support import login

AGENT = "Mozilla/5.0 (X11; Linux x86_64) Lesmark-test"


class Browser:
    """A logged-in browser whose cookie is sent by hand, so two requests carry the very same one."""

    def __init__(self, app, role="student", display_name=None, base_url="http://localhost"):
        self.app = app
        self.user_id, name = new_user(app, role)
        if display_name is not None:
            with app.app_context():
                db.session.execute(update(User).where(User.id == self.user_id).values(display_name=display_name))
                db.session.commit()
        jar = app.test_client()
        jar.environ_base["HTTP_USER_AGENT"] = AGENT  # Flask-Login keeps a hash of it in the session
        assert login(jar, name, PASSWORD).status_code == 303
        jar.get("/")  # the first page puts the form token in the session
        self.session_cookie = jar.get_cookie("session").value
        self.client = app.test_client(use_cookies=False)
        self.base_url = base_url

    @property
    def serializer(self):
        return self.app.session_interface.get_signing_serializer(self.app)

    def session(self) -> dict:
        return self.serializer.loads(self.session_cookie)

    def with_session(self, **changes) -> str:
        """This browser's cookie with keys changed (None removes one), signed as Flask would."""
        data = {**self.session(), **changes}
        return self.serializer.dumps({k: v for k, v in data.items() if v is not None})

    def get(self, path, cookie=None, method="GET", **headers):
        headers = {"User-Agent": AGENT, "X-Request-ID": "kept-slide-test-0001",
                   "Cookie": f"session={cookie or self.session_cookie}", **headers}
        return self.client.open(path, method=method, headers=headers, base_url=self.base_url)

    def form_token(self) -> str:
        """A form token of this session, signed as Flask-WTF signs the ones on its pages."""
        from app.signing import csrf_serializer

        return csrf_serializer(self.app).dumps(self.session()["csrf_token"])

    def post(self, path, body: str, cookie=None, content_type="application/x-www-form-urlencoded", **headers):
        """POST `body` exactly as given (a form as a browser encodes it, or anything else)."""
        headers = {"User-Agent": AGENT, "X-Request-ID": "below-flask-test-0001",
                   "Cookie": f"session={cookie or self.session_cookie}", **headers}
        return self.client.post(path, data=body.encode() if isinstance(body, str) else body,
                                content_type=content_type, headers=headers, base_url=self.base_url)


def assert_switch_reads(monkeypatch, variable: str, key: str) -> None:
    """The environment variable `variable` set to 0 switches the config `key` off, to 1 on."""
    from app.config import from_environment

    for value, expected in (("0", False), ("1", True)):
        monkeypatch.setenv(variable, value)
        assert from_environment()[key] is expected
