"""`python -m dme_service` is the `dme-service` command."""

import sys

from dme_service.cli import main

sys.exit(main())
