"""Routing of the control plane: index, unknown endpoints, wrong methods."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mock_calcom import MockCalcom


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with MockCalcom() as fake, fake.client(base_url="http://127.0.0.1:8765") as client:
        yield client


def test_the_index_lists_every_endpoint(http: httpx.Client) -> None:
    listing = http.get("/_mock").json()["endpoints"]
    for endpoint in ("POST /_mock/users", "PATCH /_mock/clients/{client_id}", "PUT /_mock/consent",
                     "POST /_mock/clock/advance", "GET /_mock/journal", "PATCH /_mock/settings",
                     "POST /_mock/reset"):
        assert endpoint in listing


def test_an_unknown_control_path_is_a_control_404_not_a_calcom_one(http: httpx.Client) -> None:
    response = http.get("/_mock/nothing/here")
    assert response.status_code == 404
    assert response.json() == {"error": "no control endpoint GET /_mock/nothing/here"}


def test_a_known_path_with_the_wrong_method_is_405_with_allow(http: httpx.Client) -> None:
    response = http.delete("/_mock/consent")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PUT"
    assert "DELETE is not allowed" in response.json()["error"]


def test_a_non_numeric_secret_id_is_not_a_route(http: httpx.Client) -> None:
    assert http.delete("/_mock/clients/x/secrets/abc").status_code == 404
