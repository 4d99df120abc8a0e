"""The success envelope and the pagination object of GET /v2/bookings."""

from __future__ import annotations

import json

import httpx
import pytest

from mock_calcom import MockCalcom, Settings
from mock_calcom.api.envelope import pagination, status_only, success, success_json, to_json
from mock_calcom.model.tokens import Grant
from tests.api.conftest import headers_for


def test_success_wraps_data_and_carries_its_status_code() -> None:
    response = success({"a": 1}, status_code=201)
    assert response.status_code == 201
    assert json.loads(bytes(response.body)) == {"status": "success", "data": {"a": 1}}
    assert json.loads(bytes(status_only().body)) == {"status": "success"}


@pytest.mark.parametrize(("skip", "take", "total", "expected"), [
    # (remaining, returned, currentPage, totalPages, hasNext, hasPrevious)
    (0, 10, 123, (113, 10, 1, 13, True, False)),
    (10, 10, 123, (103, 10, 2, 13, True, True)),
    (120, 10, 123, (0, 3, 13, 13, False, True)),
    (500, 10, 123, (0, 0, 13, 13, False, True)),
    (0, 100, 0, (0, 0, 0, 0, False, False)),
    (5, 2, 5, (0, 0, 3, 3, False, True)),
])
def test_pagination_follows_cal_coms_get_pagination(
        skip: int, take: int, total: int, expected: tuple[int, int, int, int, bool, bool]) -> None:
    meta = pagination(skip=skip, take=take, total=total, field="both")
    assert (meta["remainingItems"], meta["returnedItems"], meta["currentPage"], meta["totalPages"],
            meta["hasNextPage"], meta["hasPreviousPage"]) == expected
    assert meta["itemsReturned"] == meta["returnedItems"]
    assert (meta["totalItems"], meta["itemsPerPage"]) == (total, take)


@pytest.mark.parametrize(("field", "present", "absent"), [
    ("returnedItems", "returnedItems", "itemsReturned"),
    ("itemsReturned", "itemsReturned", "returnedItems")])
async def test_the_pagination_count_field_follows_the_setting(field: str, present: str, absent: str) -> None:
    fake = MockCalcom(Settings(seed=3, pagination_field=field))  # type: ignore[arg-type]
    user = fake.model.create_user("carol")
    token = fake.model.tokens.mint_pair(Grant("c", user.id, None, ())).access_token
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app),
                                 base_url="https://api.cal.com") as http:
        body = (await http.get("/v2/bookings?take=2", headers=headers_for("/v2/bookings", token))).json()
    assert body["pagination"][present] == 2
    assert absent not in body["pagination"]


@pytest.mark.parametrize("data", [{"a": 1}, [], [{"a": 1}], [{"a": 1}, {"b": [2, "é"]}], "text", None])
@pytest.mark.parametrize("page", [None, {"totalItems": 3}, "bytes"])
@pytest.mark.parametrize("status_code", [200, 201])
def test_serialised_success_is_success_byte_for_byte(data: object, page: object, status_code: int) -> None:
    slow = success(data, status_code=status_code,
                   pagination={"totalItems": 3} if page is not None else None)
    pagination = to_json({"totalItems": 3}) if page == "bytes" else page
    items = [to_json(item) for item in data] if isinstance(data, list) else to_json(data)
    fast = success_json(items, status_code=status_code, pagination=pagination)  # type: ignore[arg-type]
    assert fast.body == slow.body
    assert fast.status_code == slow.status_code
    assert fast.raw_headers == slow.raw_headers
