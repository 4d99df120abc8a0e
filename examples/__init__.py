"""Correct Cal.com providers built on well-known OAuth client libraries.

Each module is an integrator-style adapter with a ``make_provider(env)`` factory, verified by
``mock-calcom verify``; ``tests/contracts/test_examples.py`` runs them in CI:

* :mod:`examples.authlib_provider`: Authlib's httpx ``OAuth2Client`` (in-process or ``--live``);
* :mod:`examples.requests_provider`: ``requests`` + ``requests-oauthlib`` (made for ``--live``).

Both show the library defaults that Cal.com rejects and how to turn them off.
"""
