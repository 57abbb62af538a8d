from django.urls import path

from . import import_views, lookups, views

app_name = "relations"

urlpatterns = [
    path("lookup/<slug:name>/", lookups.lookup_json, name="lookup"),
    path("partners/", views.PartnerList.as_view(), name="partner-list"),
    path("partners/add/", views.PartnerCreate.as_view(), name="partner-add"),
    path("partners/<int:pk>/", views.PartnerDetail.as_view(), name="partner-detail"),
    path("partners/<int:pk>/history/", views.PartnerDetail.history_view(), name="partner-history"),
    path("partners/<int:pk>/edit/", views.PartnerUpdate.as_view(), name="partner-update"),
    path("partners/<int:pk>/delete/", views.PartnerDelete.as_view(), name="partner-delete"),
    path("agreements/", views.AgreementList.as_view(), name="agreement-list"),
    path("agreements/add/", views.AgreementCreate.as_view(), name="agreement-add"),
    path("agreements/<int:pk>/", views.AgreementDetail.as_view(), name="agreement-detail"),
    path(
        "agreements/<int:pk>/history/",
        views.AgreementDetail.history_view(),
        name="agreement-history",
    ),
    path("agreements/<int:pk>/edit/", views.AgreementUpdate.as_view(), name="agreement-update"),
    path("agreements/<int:pk>/delete/", views.AgreementDelete.as_view(), name="agreement-delete"),
    path("files/agreement/<int:pk>/", views.AgreementFile.as_view(), name="agreement-file"),
    path("people/", views.PersonList.as_view(), name="person-list"),
    path("people/add/", views.PersonCreate.as_view(), name="person-add"),
    path("people/<int:pk>/", views.PersonDetail.as_view(), name="person-detail"),
    path("people/<int:pk>/history/", views.PersonDetail.history_view(), name="person-history"),
    path("people/<int:pk>/edit/", views.PersonUpdate.as_view(), name="person-update"),
    path("people/<int:pk>/delete/", views.PersonDelete.as_view(), name="person-delete"),
    path("institutions/", views.InstitutionList.as_view(), name="institution-list"),
    path("institutions/add/", views.InstitutionCreate.as_view(), name="institution-add"),
    path("institutions/<int:pk>/", views.InstitutionDetail.as_view(), name="institution-detail"),
    path(
        "institutions/<int:pk>/history/",
        views.InstitutionDetail.history_view(),
        name="institution-history",
    ),
    path(
        "institutions/<int:pk>/edit/",
        views.InstitutionUpdate.as_view(),
        name="institution-update",
    ),
    path(
        "institutions/<int:pk>/delete/",
        views.InstitutionDelete.as_view(),
        name="institution-delete",
    ),
    path("audit/deleted/", views.DeletedRecords.as_view(), name="deleted-records"),
    path("imports/", import_views.ImportStart.as_view(), name="import-start"),
    path(
        "imports/templates/<slug:slug>.<str:fmt>",
        import_views.ImportTemplate.as_view(),
        name="import-template",
    ),
    path("imports/<str:token>/", import_views.ImportReview.as_view(), name="import-review"),
]
