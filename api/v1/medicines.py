"""The medicines list through the API: listing, adding and changing medicines, and the
history of changes. Anyone who may see the network reads it; a coordinator, or a member a
coordinator allows, changes it (403 for others)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from api.v1.serializers.medicines import (
    MedicineChangeSerializer,
    MedicineSerializer,
    MedicineWriteSerializer,
)
from api.views import LOCATION_HEADER, NetworkApiView, error_responses, signed_in_user
from caregraph.policy import people_hidden_from
from medicines.models import Medicine, MedicineChange
from medicines.selectors import (
    medicine_get_for_viewer,
    medicine_history_for_viewer,
    medicine_list_for_viewer,
)
from medicines.services import medicine_add, medicine_update

API_ROOT = "/api/v1"


def _medicine_url(medicine: Medicine) -> str:
    return f"{API_ROOT}/networks/{medicine.network_id}/medicines/{medicine.pk}/"


class NetworkMedicineListApi(NetworkApiView):
    @extend_schema(
        operation_id="network_medicine_list",
        responses={200: MedicineSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """The medicines, those still taken first, by name."""
        return self.audited_page(
            medicine_list_for_viewer(viewer=self.viewer),
            MedicineSerializer,
            summary="Viewed the medicines",
            object_type="network",
            object_id=self.network.pk,
        )

    @extend_schema(
        operation_id="network_medicine_create",
        request=MedicineWriteSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER, LOCATION_HEADER],
        responses={201: MedicineSerializer, **error_responses(400, 403, 404, 422)},
    )
    @idempotent
    def post(self, request: Request, **kwargs: object) -> Response:
        """Add a medicine to the list."""
        given = MedicineWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        values = dict(given.validated_data)
        values.pop("stopped", None)
        medicine = medicine_add(
            network=self.network, viewer=self.viewer, added_by=signed_in_user(request), **values
        )
        return Response(
            MedicineSerializer(medicine).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": _medicine_url(medicine)},
        )


class MedicineApiView(NetworkApiView):
    medicine: Medicine

    def record_resolve(self) -> None:
        self.medicine = medicine_get_for_viewer(
            viewer=self.viewer, medicine_id=self.kwargs["medicine_id"]
        )


class NetworkMedicineDetailApi(MedicineApiView):
    @extend_schema(
        operation_id="network_medicine_detail",
        responses={200: MedicineSerializer, **error_responses(404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        self.audit_read(
            summary=f"Viewed {self.medicine.name} in the medicines",
            object_type="medicine",
            object_id=self.medicine.pk,
        )
        return Response(MedicineSerializer(self.medicine).data)

    @extend_schema(
        operation_id="network_medicine_update",
        request=MedicineWriteSerializer,
        responses={200: MedicineSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, **kwargs: object) -> Response:
        """Change a medicine: send only what changes; `stopped: true` stops it."""
        given = MedicineWriteSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        medicine = medicine_update(
            medicine=self.medicine,
            viewer=self.viewer,
            changed_by=signed_in_user(request),
            **given.validated_data,
        )
        return Response(MedicineSerializer(medicine).data)


def _history_context(changes: list[MedicineChange], viewer: Any) -> dict[str, Any]:
    people = [change.changed_by_id for change in changes]
    return {"hidden_people": people_hidden_from(viewer=viewer, user_ids=people)}


class NetworkMedicineHistoryApi(NetworkApiView):
    @extend_schema(
        operation_id="network_medicine_history",
        responses={200: MedicineChangeSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """Every change to the list, newest first, with each field before and after;
        under `/medicines/<id>/history/`, one medicine's."""
        medicine_id = self.kwargs.get("medicine_id")
        medicine = (
            medicine_get_for_viewer(viewer=self.viewer, medicine_id=medicine_id)
            if medicine_id is not None
            else None
        )
        return self.audited_page(
            medicine_history_for_viewer(viewer=self.viewer, medicine=medicine),
            MedicineChangeSerializer,
            summary="Viewed the history of the medicines",
            object_type="medicine" if medicine else "network",
            object_id=medicine.pk if medicine else self.network.pk,
            context_of=lambda page: _history_context(page, self.viewer),
        )


class NetworkMedicineChangeListApi(NetworkMedicineHistoryApi):
    @extend_schema(
        operation_id="network_medicine_change_list",
        responses={200: MedicineChangeSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """One medicine's changes, newest first, with each field before and after."""
        return super().get(request, **kwargs)
