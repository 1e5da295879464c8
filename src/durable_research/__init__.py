"""durable-research: research question in, durable PDF report out, on Temporal."""

import os

# litellm fetches its model price map from the internet at import time; these
# machines are offline, so use the copy bundled with the package instead.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

__version__ = "0.1.0"
