"""Routes of the control surface."""

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
