"""What `OPTIONS` answers: the endpoint's name, description, and what it reads and renders.

DRF's default also describes each method's fields by building its serializer, which fails
on action endpoints that have none (acknowledge, claim, ...), and would describe fields
to a user who may not use them. The `Allow` header already says which methods there are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.metadata import SimpleMetadata

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class PlainMetadata(SimpleMetadata):
    def determine_metadata(self, request: Request, view: APIView) -> dict[str, Any]:
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
