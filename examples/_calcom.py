"""What both examples share: the Cal.com rules that do not depend on the OAuth library.

The rules are the reference provider's (:mod:`mock_calcom_contracts.reference`); this module runs them
around any HTTP client, and each example keeps its own OAuth-library half:

* :func:`token_answer_hook`: Authlib and requests-oauthlib both parse any token response as a
  token; this compliance hook turns Cal.com's refusals into outcomes first
  (docs/calcom-behaviour.md#token-errors-and-check-order);
* :func:`call_api`: the ``cal-api-version`` header per endpoint (docs/calcom-behaviour.md#api-versions),
  what an answer
  means (403 ``insufficient_scope`` is final, a 5xx is Cal.com's failure), and a bounded wait
  on 429 that reads ``X-RateLimit-Reset-Default`` (docs/calcom-behaviour.md#rate-limiting).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from mock_calcom_contracts import errors
from mock_calcom_contracts.provider import ApiResponse, ProviderEnvironment
from mock_calcom_contracts.reference import (
    MAX_ATTEMPTS,
    HttpAnswer,
    api_headers,
    api_response,
    backoff_seconds,
    check_api_path,
    token_payload,
)

Answer = TypeVar("Answer", bound=HttpAnswer)


def token_answer_hook(answer: Answer) -> Answer:
    """Compliance hook for token responses: only a 200 with an access token reaches the
    library's parser; any other answer raises its outcome (a used code or a dead refresh token:
    ReauthorizationRequired), so a failed refresh never replaces good tokens."""
    token_payload(answer)
    return answer


def call_api(env: ProviderEnvironment, path: str,
             send: Callable[[str, dict[str, str]], HttpAnswer]) -> ApiResponse:
    """Call ``path`` through ``send(url, headers)``, the OAuth library's authorized request
    (which refreshes the token first when due and raises outcomes for its own failures),
    again while Cal.com answers 429, at most ``MAX_ATTEMPTS`` times."""
    # The token only ever goes to the API base URL, never to a caller-chosen host.
    check_api_path(path)
    url = env.api_base_url + path
    headers = api_headers(path)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        answer = send(url, headers)
        if answer.status_code != 429:
            return api_response(answer)
        if attempt < MAX_ATTEMPTS:
            env.sleep(backoff_seconds(answer, attempt, env.now()))
    raise errors.RateLimited(f"429 after {MAX_ATTEMPTS} tries")
