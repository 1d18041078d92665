"""The paths of the shared files and medicines pages, kept beside `frontend.urls`, which
includes them."""

from django.urls import path

from frontend.views import medicines, sharedfiles

network = "networks/<int:network_id>/"
shared_file = f"{network}files/<int:file_id>/"
medicine = f"{network}medicines/<int:medicine_id>/"

urlpatterns = [
    path(f"{network}files/", sharedfiles.shared_file_list_page, name="shared_file_list"),
    path(f"{network}files/new/", sharedfiles.shared_file_share_page, name="shared_file_share"),
    path(f"{shared_file}download/", sharedfiles.shared_file_download, name="shared_file_download"),
    path(
        f"{shared_file}visibility/",
        sharedfiles.shared_file_visibility_page,
        name="shared_file_visibility",
    ),
    path(f"{shared_file}remove/", sharedfiles.shared_file_remove_page, name="shared_file_remove"),
    path(f"{network}medicines/", medicines.medicine_list_page, name="medicine_list"),
    path(f"{network}medicines/new/", medicines.medicine_add_page, name="medicine_add"),
    path(f"{network}medicines/history/", medicines.medicine_history_page, name="medicine_history"),
    path(f"{network}medicines/editors/", medicines.medicine_editors_page, name="medicine_editors"),
    path(f"{medicine}change/", medicines.medicine_edit_page, name="medicine_edit"),
    path(f"{medicine}stop/", medicines.medicine_stop_action, name="medicine_stop"),
]
