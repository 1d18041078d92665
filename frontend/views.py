from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User
from agencies.models import StaffMembership


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    memberships = StaffMembership.objects.filter(user=user, is_active=True).select_related("agency")
    return render(request, "frontend/home.html", {"staff_memberships": memberships})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/accessibility.html")
