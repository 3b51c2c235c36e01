"""The staff workspace's URLs, mounted at ``/staff/`` in the ``staff`` namespace."""

from django.urls import path

from grants.views.staff import (
    assets,
    closure,
    dashboard,
    extensions,
    milestones,
    money,
    projects,
    reappropriations,
    reviews,
    tables,
)

app_name = "staff"

urlpatterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    path("projects/", tables.ProjectListView.as_view(), name="project-list"),
    path(
        "projects/<int:pk>/",
        projects.ProjectDetailView.as_view(),
        name="project-detail",
    ),
    path(
        "projects/<int:pk>/history/",
        projects.ProjectHistoryView.as_view(),
        name="project-history",
    ),
    path(
        "projects/<int:pk>/close/",
        closure.ProjectCloseView.as_view(),
        name="project-close",
    ),
    path("milestones/", tables.MilestoneListView.as_view(), name="milestone-list"),
    path(
        "milestones/<int:pk>/waive/",
        milestones.MilestoneWaiveView.as_view(),
        name="milestone-waive",
    ),
    path(
        "milestones/<int:pk>/remind/",
        milestones.MilestoneRemindView.as_view(),
        name="milestone-remind",
    ),
    path(
        "milestones/<int:pk>/reschedule/",
        milestones.MilestoneRescheduleView.as_view(),
        name="milestone-reschedule",
    ),
    path("instalments/", tables.InstalmentListView.as_view(), name="instalment-list"),
    path(
        "instalments/<int:pk>/recommend/",
        money.InstalmentRecommendView.as_view(),
        name="instalment-recommend",
    ),
    path(
        "instalments/<int:pk>/release/",
        money.InstalmentReleaseView.as_view(),
        name="instalment-release",
    ),
    path(
        "conditions/<int:pk>/met/",
        money.ConditionMetView.as_view(),
        name="condition-met",
    ),
    path(
        "certificates/",
        tables.CertificateListView.as_view(),
        name="certificate-list",
    ),
    path(
        "certificates/<int:pk>/",
        reviews.CertificateReviewView.as_view(),
        name="certificate-detail",
    ),
    path(
        "certificates/<int:pk>/accept/",
        reviews.CertificateAcceptView.as_view(),
        name="certificate-accept",
    ),
    path(
        "certificates/<int:pk>/return/",
        reviews.CertificateReturnView.as_view(),
        name="certificate-return",
    ),
    path(
        "reports/<int:pk>/",
        reviews.ReportReviewView.as_view(),
        name="report-detail",
    ),
    path(
        "reports/<int:pk>/accept/",
        reviews.ReportAcceptView.as_view(),
        name="report-accept",
    ),
    path(
        "reports/<int:pk>/return/",
        reviews.ReportReturnView.as_view(),
        name="report-return",
    ),
    path("extensions/", extensions.ExtensionListView.as_view(), name="extension-list"),
    path(
        "extensions/<int:pk>/",
        extensions.ExtensionDetailView.as_view(),
        name="extension-detail",
    ),
    path(
        "extensions/<int:pk>/reject/",
        extensions.ExtensionRejectView.as_view(),
        name="extension-reject",
    ),
    path(
        "extensions/<int:pk>/approve/",
        projects.ExtensionApproveView.as_view(),
        name="extension-approve",
    ),
    path(
        "reappropriations/",
        reappropriations.ReappropriationListView.as_view(),
        name="reappropriation-list",
    ),
    path(
        "reappropriations/<int:pk>/",
        reappropriations.ReappropriationDetailView.as_view(),
        name="reappropriation-detail",
    ),
    path(
        "reappropriations/<int:pk>/approve/",
        reappropriations.ReappropriationApproveView.as_view(),
        name="reappropriation-approve",
    ),
    path(
        "reappropriations/<int:pk>/reject/",
        reappropriations.ReappropriationRejectView.as_view(),
        name="reappropriation-reject",
    ),
    path(
        "organisations/",
        tables.OrganisationListView.as_view(),
        name="organisation-list",
    ),
    path("reminders/", tables.ReminderListView.as_view(), name="reminder-list"),
    path(
        "registers/assets/",
        tables.AssetRegisterView.as_view(),
        name="asset-register",
    ),
    path(
        "assets/disposals/<int:pk>/",
        assets.AssetDisposalDecisionView.as_view(),
        name="asset-disposal",
    ),
]
