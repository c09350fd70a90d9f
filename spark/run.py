"""Entry point for spark-submit: `spark-submit spark/run.py --job JOB.json`."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from tradepipe_spark.main import main  # noqa: E402

sys.exit(main())
