"""Assertions shared by the API tests (other apps may import them)."""

import re

CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is the one error shape, with ``status``, a stable English code and a Chinese message.

    Returns the ``error`` object.
    """
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert re.fullmatch(r"[a-z][a-z_]*", error["code"]), error["code"]
    assert CJK.search(error["message"]), error["message"]
    assert isinstance(error["fields"], dict)
    for path, messages in error["fields"].items():
        assert isinstance(path, str) and path
        assert messages and all(CJK.search(m) for m in messages), (path, messages)
    if code is not None:
        assert error["code"] == code, error
    return error
