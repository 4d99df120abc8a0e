"""Routes of the api surface."""

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
