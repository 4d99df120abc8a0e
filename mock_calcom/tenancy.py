"""Tenants: isolated fakes on one server, picked per request by the ``X-Mock-Tenant`` header.

Parallel CI jobs or xdist workers share one live server without seeing each other's users,
clients, tokens, resources, clock, faults, settings or journal: each names its own tenant.
A request without the header reaches the server's own fake (the ``default`` tenant).
"""

from __future__ import annotations

import re

#: The request header that picks a tenant.
TENANT_HEADER = "X-Mock-Tenant"
#: How many tenants one server keeps at most (each is a whole fake: a bound on memory).
MAX_TENANTS = 64
#: The tenant every request without the header reaches: the server's own fake.
DEFAULT_TENANT = "default"
TENANT_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
