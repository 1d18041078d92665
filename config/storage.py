"""Where shared files (sharedfiles/) are stored: the `shared_files` entry of STORAGES.

On local disk by default, in a folder no web server serves; with SHARED_FILES_STORAGE=s3,
in a private S3 (or S3-compatible) bucket through django-storages: SHARED_FILES_S3_BUCKET,
and optionally SHARED_FILES_S3_REGION, SHARED_FILES_S3_ENDPOINT_URL and
SHARED_FILES_S3_PREFIX; credentials as boto3 finds them (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, or the machine's role). Either way files are served only through the
authorised download view, never from the storage's own URL (`base_url` None, private ACL).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import environ


def shared_files_storage(env: environ.Env, var_dir: Path) -> dict[str, Any]:
    if env.str("SHARED_FILES_STORAGE", default="local") == "s3":
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env.str("SHARED_FILES_S3_BUCKET"),
                "region_name": env.str("SHARED_FILES_S3_REGION", default="") or None,
                "endpoint_url": env.str("SHARED_FILES_S3_ENDPOINT_URL", default="") or None,
                "location": env.str("SHARED_FILES_S3_PREFIX", default="shared-files"),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env.str("SHARED_FILES_DIR", default=str(var_dir / "shared-files")),
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
