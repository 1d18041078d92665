"""The shared files pages: the list (new files arrive live), sharing one, downloading one,
changing who can see it and removing it.

Every page works without JavaScript: the upload is a plain multipart form, answered with a
redirect (post/redirect/get). A download is never a link to storage: each one goes through
`file_download`, which asks the policy again and writes an audit row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods

from caregraph.models import Network
from caregraph.policy import Viewer, people_hidden_from
from caregraph.policy.everyday import file_may_change, file_may_share, file_visibilities_allowed
from frontend.forms.sharedfiles import FileVisibilityForm, SharedFileForm
from frontend.views.common import (
    action_post,
    audit_view,
    network_context,
    network_for_request,
    page_post,
    posted,
    signed_in_user,
)
from sharedfiles.models import SharedFile
from sharedfiles.selectors import file_get_for_viewer, file_list_visible_to
from sharedfiles.services import (
    file_download_open,
    file_remove,
    file_share,
    file_visibility_set,
    size_words,
)
from sharedfiles.sniffing import kind_label

LIST_PAGE_SIZE = 25
NO_PAGE = "No such page"


@dataclass(frozen=True)
class FileRow:
    shared_file: SharedFile
    kind: str
    size: str
    may_change: bool


def _list_url(network: Network) -> str:
    return reverse("shared_file_list", args=[network.pk])


@login_required
@require_GET
def shared_file_list_page(request: HttpRequest, network_id: int) -> HttpResponse:
    """The files the viewer may see, newest first. With `?fragment=1`, only the list, for
    shared-files.mjs to put in place when a file is shared or removed."""
    network, viewer = network_for_request(request, network_id)
    live_sequence = network.last_sequence
    fragment = request.GET.get("fragment") == "1"
    paginator = Paginator(file_list_visible_to(viewer=viewer), LIST_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [
        FileRow(
            shared_file=shared_file,
            kind=kind_label(shared_file.content_type),
            size=size_words(shared_file.size),
            may_change=file_may_change(shared_file=shared_file, viewer=viewer),
        )
        for shared_file in page
    ]
    audit_view(
        request,
        network=network,
        summary="Viewed the shared files" + (" (updated live)" if fragment else ""),
        object_type="network",
    )
    context = network_context(
        network,
        viewer,
        section="files",
        page=page,
        rows=rows,
        hidden_people=people_hidden_from(
            viewer=viewer, user_ids=[row.shared_file.created_by_id for row in rows]
        ),
        page_range=list(paginator.get_elided_page_range(page.number, on_ends=1)),
        ellipsis=Paginator.ELLIPSIS,
        may_share=file_may_share(viewer=viewer),
        live_sequence=live_sequence,
    )
    if fragment:
        return render(request, "sharedfiles/_list.html", context)
    return render(request, "sharedfiles/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def shared_file_share_page(request: HttpRequest, network_id: int) -> HttpResponse:
    """Sharing a file. Any member may; what the file may be is the service's to say."""
    network, viewer = network_for_request(request, network_id)
    if not file_may_share(viewer=viewer):
        raise Http404(NO_PAGE)
    form = SharedFileForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        visibilities=file_visibilities_allowed(viewer=viewer),
    )
    done = page_post(
        request,
        form,
        lambda data: file_share(
            network=network,
            viewer=viewer,
            shared_by=signed_in_user(request),
            title=data["title"],
            upload=data["file"] or None,
            visibility=data["visibility"],
        ),
        success_url=_list_url(network),
        message=lambda shared: f"'{shared.title}' is shared.",
        refused=NO_PAGE,
    )
    if done is not None:
        return done
    return render(
        request,
        "sharedfiles/share.html",
        network_context(
            network,
            viewer,
            section="files",
            form=form,
            max_size=size_words(settings.SHARED_FILE_MAX_BYTES),
        ),
    )


def _file(
    request: HttpRequest, network_id: int, file_id: int
) -> tuple[Network, Viewer, SharedFile]:
    """The network, the standing and the file, asked of the policy on every request: a
    member removed since, or a file narrowed since, is 404 from a saved URL."""
    network, viewer = network_for_request(request, network_id)
    return network, viewer, file_get_for_viewer(viewer=viewer, file_id=file_id)


def download_response(shared_file: SharedFile, opened: object) -> FileResponse:
    """The bytes as an attachment, in the type they were found to be, kept by no cache and
    never sniffed into something else by the browser."""
    response = FileResponse(
        opened,
        as_attachment=True,
        filename=shared_file.download_name,
        content_type=shared_file.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_GET
def shared_file_download(request: HttpRequest, network_id: int, file_id: int) -> FileResponse:
    _network, _viewer, shared_file = _file(request, network_id, file_id)
    opened = file_download_open(
        shared_file=shared_file, downloaded_by=signed_in_user(request), request=request
    )
    return download_response(shared_file, opened)


@login_required
@require_http_methods(["GET", "POST"])
def shared_file_visibility_page(
    request: HttpRequest, network_id: int, file_id: int
) -> HttpResponse:
    network, viewer, shared_file = _file(request, network_id, file_id)
    if not file_may_change(shared_file=shared_file, viewer=viewer):
        raise Http404(NO_PAGE)
    form = FileVisibilityForm(
        posted(request),
        initial={"visibility": shared_file.visibility},
        visibilities=file_visibilities_allowed(viewer=viewer),
    )
    done = page_post(
        request,
        form,
        lambda data: file_visibility_set(
            shared_file=shared_file,
            viewer=viewer,
            changed_by=signed_in_user(request),
            visibility=data["visibility"],
        ),
        success_url=_list_url(network),
        message=lambda changed: f"Changed who can see '{changed.title}'.",
        refused=NO_PAGE,
    )
    if done is not None:
        return done
    return render(
        request,
        "sharedfiles/visibility.html",
        network_context(network, viewer, section="files", form=form, shared_file=shared_file),
    )


@login_required
@require_http_methods(["GET", "POST"])
def shared_file_remove_page(request: HttpRequest, network_id: int, file_id: int) -> HttpResponse:
    """Asks first; the POST removes the file and deletes its stored bytes."""
    network, viewer, shared_file = _file(request, network_id, file_id)
    if not file_may_change(shared_file=shared_file, viewer=viewer):
        raise Http404(NO_PAGE)
    if request.method == "POST":
        return action_post(
            request,
            lambda: file_remove(
                shared_file=shared_file, viewer=viewer, removed_by=signed_in_user(request)
            ),
            success_url=_list_url(network),
            message=lambda removed: f"'{removed.title}' is removed.",
            refused=NO_PAGE,
        )
    return render(
        request,
        "sharedfiles/remove.html",
        network_context(network, viewer, section="files", shared_file=shared_file),
    )
