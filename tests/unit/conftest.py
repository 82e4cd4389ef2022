"""Make the repository importable as ``ansible_collections.innovate.aws_postgres``."""

import pathlib
import sys

COLLECTIONS_ROOT = pathlib.Path(__file__).resolve().parents[2] / ".collections"
if str(COLLECTIONS_ROOT) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS_ROOT))
