"""``/v2/verified-resources`` (UserVerifiedResourcesController): e-mails and phone numbers a user
proved with a code, used as workflow senders. ``ApiAuthGuard``; undecorated (scoped third-party
tokens: 403; ``VERIFIED_RESOURCES_*`` are not in ``SCOPE_TO_PERMISSION``, FACTS §11.8).

Requesting a code would e-mail or text it; the fake sends nothing and keeps the code, which a
test reads with ``fake.model.resources.verified.pending_code(user_id, "email", address)``.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.endpoint import API_AUTH, Call, Endpoint
from mock_calcom.api.envelope import status_only, success
from mock_calcom.api.validation import (
    IS_EMAIL,
    IS_NUMBER,
    IS_STRING,
    Prop,
    Rule,
    Schema,
    max_value,
    min_value,
    numeric_id,
    parse_int_when_truthy,
    query_dict,
)
from mock_calcom.model.resources.private_links import Verified

_PHONE = Rule("isPhoneNumber", lambda v: isinstance(v, str) and bool(
    re.fullmatch(r"\+[1-9][\d ]{6,18}", v.strip())), "{p} must be a valid phone number")
EMAIL_REQUEST = Schema((Prop("email", (IS_EMAIL,)),))
PHONE_REQUEST = Schema((Prop("phone", (_PHONE,)),))
EMAIL_VERIFY = Schema((Prop("email", (IS_EMAIL,)), Prop("code", (IS_STRING,))))
PHONE_VERIFY = Schema((Prop("phone", (_PHONE,)), Prop("code", (IS_STRING,))))
PAGE = Schema((
    Prop("take", (IS_NUMBER, min_value(1), max_value(250)), optional=True, transform=parse_int_when_truthy),
    Prop("skip", (IS_NUMBER, min_value(0)), optional=True, transform=parse_int_when_truthy),
))


def _phone(value: str) -> str:
    return re.sub(r"\s+", "", value)


def _email_out(found: Verified) -> dict[str, Any]:
    return {"id": found.id, "email": found.value, "userId": found.user_id}


def _phone_out(found: Verified) -> dict[str, Any]:
    return {"id": found.id, "phoneNumber": found.value, "userId": found.user_id}


def request_email(call: Call) -> Response:
    body = EMAIL_REQUEST.validate(call.body)
    call.model.resources.verified.request(call.user.id, "email", body["email"].lower())
    return status_only()


def request_phone(call: Call) -> Response:
    body = PHONE_REQUEST.validate(call.body)
    call.model.resources.verified.request(call.user.id, "phone", _phone(body["phone"]))
    return status_only()


def verify_email(call: Call) -> Response:
    body = EMAIL_VERIFY.validate(call.body)
    proven = call.model.resources.verified.verify(call.user.id, "email", body["email"].lower(), body["code"])
    return success(_email_out(proven))


def verify_phone(call: Call) -> Response:
    body = PHONE_VERIFY.validate(call.body)
    proven = call.model.resources.verified.verify(call.user.id, "phone", _phone(body["phone"]), body["code"])
    return success(_phone_out(proven))


def _page(call: Call, kind: str) -> list[Verified]:
    q = PAGE.validate(query_dict(call.query))
    skip, take = int(q.get("skip", 0)), int(q.get("take", 250))
    return call.model.resources.verified.of_user(call.user.id, kind)[skip:skip + take]


def list_emails(call: Call) -> Response:
    return success([_email_out(v) for v in _page(call, "email")])


def list_phones(call: Call) -> Response:
    return success([_phone_out(v) for v in _page(call, "phone")])


def get_email(call: Call) -> Response:
    found = call.model.resources.verified.one(call.user.id, "email", numeric_id(call.path_params["id"]))
    return success(_email_out(found))


def get_phone(call: Call) -> Response:
    found = call.model.resources.verified.one(call.user.id, "phone", numeric_id(call.path_params["id"]))
    return success(_phone_out(found))


_A = versions.ANY
_V = "/v2/verified-resources"
_C = "UserVerifiedResourcesController_"
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", f"{_V}/emails/verification-code/request", f"{_C}requestEmailVerificationCode",
             request_email, _A, API_AUTH, reads_body=True),
    Endpoint("POST", f"{_V}/phones/verification-code/request", f"{_C}requestPhoneVerificationCode",
             request_phone, _A, API_AUTH, reads_body=True),
    Endpoint("POST", f"{_V}/emails/verification-code/verify", f"{_C}verifyEmail", verify_email, _A,
             API_AUTH, reads_body=True),
    Endpoint("POST", f"{_V}/phones/verification-code/verify", f"{_C}verifyPhoneNumber", verify_phone, _A,
             API_AUTH, reads_body=True),
    Endpoint("GET", f"{_V}/emails", f"{_C}getVerifiedEmails", list_emails, _A, API_AUTH),
    Endpoint("GET", f"{_V}/phones", f"{_C}getVerifiedPhoneNumbers", list_phones, _A, API_AUTH),
    Endpoint("GET", f"{_V}/emails/{{id}}", f"{_C}getVerifiedEmailById", get_email, _A, API_AUTH),
    Endpoint("GET", f"{_V}/phones/{{id}}", f"{_C}getVerifiedPhoneById", get_phone, _A, API_AUTH),
)
