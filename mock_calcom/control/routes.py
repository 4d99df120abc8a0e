"""Routes of the control surface."""

from starlette.routing import BaseRoute

from mock_calcom.control.faults import routes as fault_routes

routes: list[BaseRoute] = [*fault_routes]
