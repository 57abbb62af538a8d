from django.urls import path

from . import report_views, views

app_name = "delegations"

urlpatterns = [
    path("", views.DelegationList.as_view(), name="delegation-list"),
    path("add/", views.DelegationCreate.as_view(), name="delegation-add"),
    path("<int:pk>/", views.DelegationDetail.as_view(), name="delegation-detail"),
    path("<int:pk>/history/", views.DelegationDetail.history_view(), name="delegation-history"),
    path("<int:pk>/edit/", views.DelegationUpdate.as_view(), name="delegation-update"),
    path("<int:pk>/delete/", views.DelegationDelete.as_view(), name="delegation-delete"),
    path("<int:pk>/move/", views.DelegationMove.as_view(), name="delegation-move"),
    path("<int:pk>/print/", views.DelegationPrint.as_view(), name="delegation-print"),
    path("<int:pk>/print.pdf", views.DelegationPdf.as_view(), name="delegation-pdf"),
    path(
        "<int:pk>/members.xlsx",
        views.DelegationMembersXlsx.as_view(),
        name="delegation-members-xlsx",
    ),
    path(
        "<int:pk>/rooming.xlsx",
        views.DelegationRoomingXlsx.as_view(),
        name="delegation-rooming-xlsx",
    ),
    path(
        "<int:pk>/members-sensitive/",
        views.DelegationMembersSensitiveXlsx.as_view(),
        name="delegation-members-sensitive",
    ),
    path("<int:pk>/passports/", views.DelegationPassports.as_view(), name="delegation-passports"),
    path("partners/<int:pk>/briefing/", views.PartnerBriefing.as_view(), name="briefing-print"),
    path("partners/<int:pk>/briefing.pdf", views.PartnerBriefingPdf.as_view(), name="briefing-pdf"),
    path("clashes/", views.ClashList.as_view(), name="clash-list"),
    path("calendar/", views.DelegationCalendar.as_view(), name="calendar"),
    path("calendar/feed/", views.CalendarSubscription.as_view(), name="calendar-subscription"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("gifts/", views.GiftList.as_view(), name="gift-list"),
    path("gifts/add/", views.GiftCreate.as_view(), name="gift-add"),
    path("gifts/<int:pk>/", views.GiftDetail.as_view(), name="gift-detail"),
    path("gifts/<int:pk>/history/", views.GiftDetail.history_view(), name="gift-history"),
    path("gifts/<int:pk>/edit/", views.GiftUpdate.as_view(), name="gift-update"),
    path("gifts/<int:pk>/delete/", views.GiftDelete.as_view(), name="gift-delete"),
    path("files/gift/<int:pk>/", views.GiftFile.as_view(), name="gift-file"),
    path("files/document/<int:pk>/", views.DocumentFile.as_view(), name="document-file"),
    path("reports/", report_views.ReportList.as_view(), name="report-list"),
    path("reports/reports.xlsx", report_views.ReportXlsx.as_view(), name="report-xlsx"),
    path(
        "reports/annual-statistics.xlsx",
        report_views.AnnualStatisticsXlsx.as_view(),
        name="annual-statistics-xlsx",
    ),
]
