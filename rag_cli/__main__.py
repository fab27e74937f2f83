"""``python -m rag_cli`` is the ``rag`` command."""

import sys

from rag_cli.main import main

sys.exit(main())
