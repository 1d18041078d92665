"""Where members' uploads are stored: the private entries of STORAGES.

Two kinds: shared files (sharedfiles/, prefix SHARED_FILES) and the photos of wellbeing
updates (wellbeing/, prefix WELLBEING_PHOTOS). Each is on local disk by default, under
`var/uploads/`, a folder no web server serves; with `<PREFIX>_STORAGE=s3`, in a private S3
(or S3-compatible) bucket through django-storages: `<PREFIX>_S3_BUCKET`, and optionally
`<PREFIX>_S3_REGION`, `<PREFIX>_S3_ENDPOINT_URL` and `<PREFIX>_S3_PREFIX`; credentials as
boto3 finds them (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the machine's role).
Either way files are served only through the authorised views, never from the storage's
own URL (`base_url` None, private ACL).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import environ


def private_storage(env: environ.Env, *, prefix: str, default_dir: Path) -> dict[str, Any]:
    """The STORAGES entry for one kind of upload, from its `<prefix>_…` variables."""
    if env.str(f"{prefix}_STORAGE", default="local") == "s3":
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env.str(f"{prefix}_S3_BUCKET"),
                "region_name": env.str(f"{prefix}_S3_REGION", default="") or None,
                "endpoint_url": env.str(f"{prefix}_S3_ENDPOINT_URL", default="") or None,
                "location": env.str(f"{prefix}_S3_PREFIX", default=default_dir.name),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env.str(f"{prefix}_DIR", default=str(default_dir)),
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
