"""Roles and what each may do.

A role's permissions are data in ``ROLE_PERMISSIONS``; ``ganzhi.core.backends``
answers Django's ``has_perm`` from it, so the admin, views and API ask one place.
What a role may *see* (which org units) is decided in ``ganzhi.core.scoping``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HQ = "hq", _("HQ quality lead")
    REGION_MANAGER = "region_manager", _("Regional manager")
    PROJECT_MANAGER = "project_manager", _("Project manager")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    FRONTLINE = "frontline", _("Front-line staff")
    OWNER = "owner", _("Owner")


_REGISTRY_VIEW = {
    "org.view_company",
    "org.view_region",
    "org.view_project",
    "org.view_building",
    "org.view_unit",
    "org.view_post",
    "org.view_staff",
    "owners.view_owner",
    "owners.view_household",
    "owners.view_householdmember",
    "owners.view_importjob",
}
_REGISTRY_EDIT_PROJECT = {
    "org.add_building",
    "org.change_building",
    "org.add_unit",
    "org.change_unit",
    "org.add_staff",
    "org.change_staff",
    "owners.add_owner",
    "owners.change_owner",
    "owners.add_household",
    "owners.change_household",
    "owners.add_householdmember",
    "owners.change_householdmember",
    "owners.delete_householdmember",
    "owners.add_importjob",
}

_WORKORDER_VIEW = {
    "workorders.view_workorder",
    "workorders.view_category",
    "workorders.view_slapolicy",
    "workorders.view_followup",
    "workorders.view_servicerecovery",
    "workorders.view_qrplace",
    "workorders.view_businesscalendar",
}
_WORKORDER_HANDLE = {
    "workorders.add_workorder",
    "workorders.change_workorder",
}
_WORKORDER_DISPATCH = _WORKORDER_HANDLE | {
    "workorders.dispatch_workorder",
    "workorders.change_followup",
    "workorders.add_servicerecovery",
    "workorders.add_qrplace",
    "workorders.change_qrplace",
}
_WORKORDER_CONFIGURE = {
    "workorders.add_category",
    "workorders.change_category",
    "workorders.add_slapolicy",
    "workorders.change_slapolicy",
    "workorders.add_businesscalendar",
    "workorders.change_businesscalendar",
    "workorders.add_calendarday",
    "workorders.change_calendarday",
    "workorders.delete_calendarday",
}

_SURVEY_VIEW = {
    "surveys.view_indicatorlibrary",
    "surveys.view_indicatornode",
    "surveys.view_questionnaire",
    "surveys.view_question",
    "surveys.view_campaign",
    "surveys.view_stratum",
    "surveys.view_invitation",
    "surveys.view_response",
    "surveys.view_callbacktask",
    "surveys.view_responseimport",
}
_SURVEY_DESIGN = {
    "surveys.add_indicatorlibrary",
    "surveys.change_indicatorlibrary",
    "surveys.add_indicatornode",
    "surveys.change_indicatornode",
    "surveys.delete_indicatornode",
    "surveys.add_questionnaire",
    "surveys.change_questionnaire",
    "surveys.add_question",
    "surveys.change_question",
    "surveys.delete_question",
    "surveys.review_response",
}
_SURVEY_RUN = {
    "surveys.add_campaign",
    "surveys.change_campaign",
    "surveys.add_invitation",
    "surveys.change_invitation",
    "surveys.add_responseimport",
}
_SURVEY_CALLBACK = {"surveys.change_callbacktask"}
_REPORTS = {"dashboards.view_monthlyreport", "dashboards.add_monthlyreport"}
_TARGETS = {
    "dashboards.view_target",
    "dashboards.add_target",
    "dashboards.change_target",
    "dashboards.delete_target",
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.HQ: frozenset(
        _REGISTRY_VIEW
        | _REGISTRY_EDIT_PROJECT
        | {
            "org.add_region",
            "org.change_region",
            "org.add_project",
            "org.change_project",
            "org.add_post",
            "org.change_post",
        }
        | _WORKORDER_VIEW
        | _WORKORDER_CONFIGURE
        | _SURVEY_VIEW
        | _SURVEY_DESIGN
        | _SURVEY_RUN
        | _REPORTS
        | _TARGETS
    ),
    Role.REGION_MANAGER: frozenset(
        _REGISTRY_VIEW
        | _REGISTRY_EDIT_PROJECT
        | _WORKORDER_VIEW
        | _SURVEY_VIEW
        | _REPORTS
        | {"org.change_project"}
    ),
    Role.PROJECT_MANAGER: frozenset(
        _REGISTRY_VIEW
        | _REGISTRY_EDIT_PROJECT
        | _WORKORDER_VIEW
        | _WORKORDER_DISPATCH
        | _SURVEY_VIEW
        | _SURVEY_RUN
        | _SURVEY_CALLBACK
        | _REPORTS
        | {"owners.view_personal_data"}
    ),
    Role.CUSTOMER_SERVICE: frozenset(
        _REGISTRY_VIEW
        | {
            "owners.add_owner",
            "owners.change_owner",
            "owners.add_household",
            "owners.change_household",
            "owners.add_householdmember",
            "owners.change_householdmember",
            "owners.view_personal_data",
        }
        | _WORKORDER_VIEW
        | _WORKORDER_DISPATCH
        | _SURVEY_VIEW
        | _SURVEY_CALLBACK
    ),
    Role.FRONTLINE: frozenset(
        {"org.view_project", "org.view_building", "org.view_unit"}
        | _WORKORDER_VIEW
        | _WORKORDER_HANDLE
    ),
    Role.OWNER: frozenset(),
}

# Roles that may open the Django admin (always scoped).
ADMIN_ROLES = frozenset({Role.HQ, Role.REGION_MANAGER, Role.PROJECT_MANAGER})
