"""``python -m mock_calcom``: the ``mock-calcom`` command."""

import sys

from mock_calcom.cli import main

sys.exit(main())
