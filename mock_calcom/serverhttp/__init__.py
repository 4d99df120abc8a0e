"""uvicorn's HTTP protocols with the fake's read deadline (:class:`mock_calcom.server.ReadDeadline`),
one module per parser so that only the chosen parser is imported."""
