"""Root conftest: the ``pytester`` fixture for testing the pytest plugin itself."""

pytest_plugins = ["pytester"]
