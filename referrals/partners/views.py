"""The town office's pages for its departments' staff (issue 10 §8): list the town's departments, attach
an existing user or create an account for a department's staff member, detach them. Another town's
department, or the county's, answers 404. After each change the referral grant sync runs at once (on
commit), so a newcomer sees the department's live referrals and a leaver stops seeing them. The town
office also issues and revokes its partners' API tokens here (issue 5 §1; URLs under /reports/partner-tokens/)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from referrals.partners.forms import PartnerStaffAttachForm, PartnerStaffCreateForm
from tiers.forms import add_service_errors
from tiers.models import ApiToken, StaffPost
from tiers.selectors import (
    manages_partner_departments,
    partner_department_get,
    partner_department_staff,
    partner_departments_managed,
)
from tiers.services import (
    partner_staff_attach,
    partner_staff_create,
    partner_staff_detach,
    partner_tokens_manageable,
    token_issue,
    token_revoke,
)


def _office_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not manages_partner_departments(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _sync_grants_on_commit() -> None:
    from referrals.referrals.tasks import sync_referral_grants

    transaction.on_commit(lambda: sync_referral_grants.delay())


def _detail(request, organisation, *, attach_form=None, create_form=None, created=None, status=200):
    return render(
        request,
        "referrals/partners/department_detail.html",
        {
            "organisation": organisation,
            "posts": partner_department_staff(organisation=organisation),
            "attach_form": attach_form or PartnerStaffAttachForm(),
            "create_form": create_form or PartnerStaffCreateForm(),
            "created": created,
        },
        status=status,
    )


@_office_required
@require_GET
def department_list(request):
    from django.db.models import Count, Q

    from tiers.roles import Role

    departments = partner_departments_managed(user=request.user).annotate(
        staff_count=Count("posts", filter=Q(posts__role=Role.PARTNER_STAFF))
    )
    return render(request, "referrals/partners/department_list.html", {"departments": departments})


@_office_required
@require_GET
def department_detail(request, pk: int):
    return _detail(request, partner_department_get(user=request.user, pk=pk))


@_office_required
@require_POST
def staff_attach(request, pk: int):
    organisation = partner_department_get(user=request.user, pk=pk)
    form = PartnerStaffAttachForm(request.POST)
    if form.is_valid():
        user = get_user_model().objects.filter(username__iexact=form.cleaned_data["username"].strip()).first()
        if user is None:
            form.add_error("username", _("未找到该用户名的账号，可在下方新建账号。"))
        else:
            try:
                partner_staff_attach(
                    actor=request.user,
                    organisation=organisation,
                    user=user,
                    title=form.cleaned_data["title"],
                    phone=form.cleaned_data["phone"],
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                _sync_grants_on_commit()
                messages.success(
                    request,
                    _("已将%(user)s设为%(org)s的工作人员。")
                    % {"user": user.get_full_name() or user.username, "org": organisation.name},
                )
                return redirect("partner_department_detail", pk=organisation.pk)
    return _detail(request, organisation, attach_form=form, status=200)


@_office_required
@require_POST
def staff_create(request, pk: int):
    organisation = partner_department_get(user=request.user, pk=pk)
    form = PartnerStaffCreateForm(request.POST)
    if form.is_valid():
        try:
            post, password = partner_staff_create(actor=request.user, organisation=organisation, **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _sync_grants_on_commit()
            # Shown once, in this response only (never in a message cookie or the session).
            return _detail(request, organisation, created={"user": post.user, "password": password})
    return _detail(request, organisation, create_form=form)


@_office_required
@require_POST
def staff_detach(request, pk: int, post_pk: int):
    organisation = partner_department_get(user=request.user, pk=pk)
    post = get_object_or_404(
        StaffPost.objects.select_related("user", "organisation"), pk=post_pk, organisation=organisation
    )
    try:
        partner_staff_detach(actor=request.user, post=post)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        _sync_grants_on_commit()
        messages.success(
            request,
            _("已解除%(user)s与%(org)s的关联。")
            % {"user": post.user.get_full_name() or post.user.username, "org": organisation.name},
        )
    return redirect("partner_department_detail", pk=organisation.pk)


# --- partners' API tokens (issue 5 §1): the town office issues and revokes them ---------------------


def _tokens_page(request, users, new_key: str | None = None):
    tokens = (
        ApiToken.objects.filter(user__in=users)
        .select_related("user", "created_by")
        .prefetch_related("user__posts__organisation")
        .order_by("-created_at")
    )
    return render(
        request,
        "referrals/partners/partner_tokens.html",
        {"tokens": tokens, "users": users.order_by("username"), "new_key": new_key},
    )


@login_required
def partner_tokens(request):
    users = partner_tokens_manageable(actor=request.user)
    if users is None:
        raise Http404
    return _tokens_page(request, users)


@login_required
@require_POST
def partner_token_issue(request):
    users = partner_tokens_manageable(actor=request.user)
    if users is None:
        raise Http404
    user = get_object_or_404(users, pk=request.POST.get("user") or 0)
    name = request.POST.get("name", "").strip() or _("协作单位接口")
    _token, key = token_issue(user=user, name=name, actor=request.user)
    # The key is shown once, in this response, and never stored.
    messages.success(request, _("令牌已签发，请立即复制，离开页面后无法再次查看。"))
    return _tokens_page(request, users, new_key=key)


@login_required
@require_POST
def partner_token_revoke(request, pk: int):
    users = partner_tokens_manageable(actor=request.user)
    if users is None:
        raise Http404
    token = get_object_or_404(ApiToken.objects.filter(user__in=users), pk=pk)
    token_revoke(token=token)
    messages.success(request, _("令牌已吊销。"))
    return redirect("partner_tokens")
