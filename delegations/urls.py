from django.urls import path

from . import views

app_name = "delegations"

urlpatterns = [
    path("", views.DelegationList.as_view(), name="delegation-list"),
    path("<int:pk>/", views.DelegationDetail.as_view(), name="delegation-detail"),
]
