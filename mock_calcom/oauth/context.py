"""The fake a request is addressed to.

``mock_calcom.app`` imports this package's routes while it is itself being imported, so the
handlers here cannot import ``app.fake_of``; this is the same one-liner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request

if TYPE_CHECKING:
    from mock_calcom.fake import MockCalcom


def fake_of(request: Request) -> MockCalcom:
    fake: MockCalcom = request.app.state.fake
    return fake
