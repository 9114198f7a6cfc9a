from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("work/", views.work, name="work"),
    path("work/edit/", views.work_edit, name="work_edit"),
    path("work/print/", views.work_print, name="work_print"),
    path("work/docx/", views.work_docx, name="work_docx"),
    path("work/xlsx/", views.work_xlsx, name="work_xlsx"),
]
