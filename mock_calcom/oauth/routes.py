"""Routes of the oauth surface."""

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
