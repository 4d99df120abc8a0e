"""Validate API v2 responses against Cal.com's OpenAPI document (path in ``CALCOM_OPENAPI``).

The document is Nest-generated and OpenAPI 3.0, so it is read with three documented rules
before being used as JSON Schema (draft 7):

1. ``nullable: true`` allows ``null`` (OpenAPI 3.0's keyword; JSON Schema has no such thing).
2. ``oneOf`` is read as ``anyOf``: Nest's swagger plugin writes ``oneOf`` for unions whose
   members are not mutually exclusive (no discriminator, no ``const``; every default booking
   field matches ``TitleDefaultFieldOutput`` and ``NotesDefaultFieldOutput`` alike), so a
   faithful value can match several members.
3. A bare ``{"type": "object"}`` (no properties, items or combinators) constrains nothing: the
   plugin writes it for every property whose TypeScript type it cannot reflect (unions such as
   ``number | null`` for ``slotInterval``, ``true`` for ``isDefault``).

And two corrections of known defects of the Cal.diy document:

* ``EventTypeOutput_2024_06_14.users`` is an array of user objects (``User_2024_06_14`` in
  event-type.output.ts @c6b0a1ce and in cal.com's published docs), not of strings;
* ``GET /v2/slots`` documents its ``data`` map (date -> slots) as if it were the whole body, so
  the check applies that schema to ``data``;
* the webhook outputs (``UserWebhookOutputDto``, ``EventTypeWebhookOutputDto``) type ``id`` as a
  number, but ``Webhook.id`` is a uuid string (schema.prisma; webhook.output.ts @03670679 only
  declares it), and ``payloadTemplate``/``secret`` are ``null`` when unset (the services store
  ``?? null``, user-webhooks.service.ts @03670679);
* ``GetReservedSlotOutput_2024_09_04.data`` refers to the envelope itself (a generator slip that
  nothing can satisfy); it is the reservation, ``ReserveSlotOutput_2024_09_04``, or ``null``.
"""

from __future__ import annotations

import copy
import functools
import json
import os
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

ENV = "CALCOM_OPENAPI"
_BASE = "urn:calcom-openapi"
_DATA_ONLY = {("GET", "/v2/slots")}
_WEBHOOK_OUTPUTS = ("UserWebhookOutputDto", "EventTypeWebhookOutputDto")
_COMBINATORS = ("properties", "items", "allOf", "anyOf", "oneOf", "$ref", "additionalProperties")


def _normalize(node: Any) -> Any:
    if isinstance(node, list):
        return [_normalize(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _normalize(value) for key, value in node.items()}
    if "oneOf" in out:
        out["anyOf"] = out.pop("oneOf")
    if out.get("type") == "object" and not any(key in out for key in _COMBINATORS):
        del out["type"]
    if out.pop("nullable", False) is True:
        return {"anyOf": [{"type": "null"}, out]}
    return out


def _pointer(*parts: str) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


class OpenApiDocument:
    def __init__(self, raw: dict[str, Any]) -> None:
        document = copy.deepcopy(raw)
        event_type = document["components"]["schemas"].get("EventTypeOutput_2024_06_14")
        if event_type is not None:
            event_type["properties"]["users"]["items"] = {"type": "object"}
        reserved = document["components"]["schemas"].get("GetReservedSlotOutput_2024_09_04")
        if reserved is not None:
            reserved["properties"]["data"] = {
                "nullable": True, "allOf": [{"$ref": "#/components/schemas/ReserveSlotOutput_2024_09_04"}]}
        for name in _WEBHOOK_OUTPUTS:
            webhook = document["components"]["schemas"].get(name)
            if webhook is not None:
                webhook["properties"]["id"] = {"type": "string"}
                for key in ("payloadTemplate", "secret"):
                    webhook["properties"][key] = {**webhook["properties"][key], "nullable": True}
        self.raw = raw
        self.document = _normalize(document)
        resource = Resource.from_contents(self.document, default_specification=DRAFT7)
        self._registry: Registry[Any] = Registry().with_resource(_BASE, resource)

    def has(self, method: str, path: str, status: int) -> bool:
        responses = self.raw["paths"].get(path, {}).get(method.lower(), {}).get("responses", {})
        return str(status) in responses

    @functools.cache  # noqa: B019 - one document per test session
    def validator(self, method: str, path: str, status: int) -> Draft7Validator:
        pointer = _pointer("paths", path, method.lower(), "responses", str(status), "content",
                           "application/json", "schema")
        return Draft7Validator({"$ref": f"{_BASE}#{pointer}"}, registry=self._registry)

    def errors(self, method: str, path: str, status: int, body: Any) -> list[str]:
        """Readable schema violations of ``body`` (empty when it conforms)."""
        validator = self.validator(method, path, status)
        if (method, path) in _DATA_ONLY and isinstance(body, dict):
            body = body.get("data")
        return [f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}"
                for e in validator.iter_errors(body)]


@functools.cache
def load() -> OpenApiDocument | None:
    """The document at ``$CALCOM_OPENAPI``, or ``None`` when the variable is unset."""
    location = os.environ.get(ENV)
    if not location:
        return None
    return OpenApiDocument(json.loads(Path(location).read_text(encoding="utf-8")))
