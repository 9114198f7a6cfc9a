"""Write .env.local with fresh local secrets, once. Used by `make demo`/`make test`.

The file holds the demo's secret key and the keys that seal personal data; it is never
committed. A production deployment sets these variables in its own environment instead.
"""

import base64
import os
import secrets
import sys
from pathlib import Path

path = Path(__file__).resolve().parent.parent / ".env.local"
if path.exists():
    sys.exit(0)
key = base64.b64encode(os.urandom(32)).decode("ascii")
path.write_text(
    "# Local secrets for the demo, made by `make`; never commit this file.\n"
    "GONGZHI_DEMO_MODE=1\n"
    f"GONGZHI_SECRET_KEY={secrets.token_urlsafe(48)}\n"
    f"GONGZHI_FIELD_KEYS=k{secrets.token_hex(2)}:{key}\n"
    f"GONGZHI_BLIND_INDEX_KEY={secrets.token_urlsafe(32)}\n",
    encoding="utf-8",
)
os.chmod(path, 0o600)
print(f"wrote {path.name} with fresh local keys")
