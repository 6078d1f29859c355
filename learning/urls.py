from django.urls import path

from learning import views

urlpatterns = [
    path("learning/themes/", views.learning_themes, name="learning_themes"),
    path("learning/yearly/", views.yearly_reports, name="yearly_reports"),
    path("learning/yearly/start/", views.yearly_report_add, name="yearly_report_add"),
    path("learning/yearly/<int:pk>/", views.yearly_report, name="yearly_report"),
    path("learning/yearly/<int:pk>/sections/<slug:section>/", views.yearly_section,
         name="yearly_section"),
    path("learning/yearly/<int:pk>/figures.csv", views.yearly_report_csv,
         name="yearly_report_csv"),
    path("learning/yearly/<int:pk>/figures.xlsx", views.yearly_report_xlsx,
         name="yearly_report_xlsx"),
    path("learning/yearly/<int:pk>/pdf/", views.yearly_report_render, name="yearly_report_render"),
    path("learning/yearly/<int:pk>/publish/", views.yearly_report_publish,
         name="yearly_report_publish"),
    path("learning/yearly/<int:pk>/report.pdf", views.yearly_report_download,
         name="yearly_report_download"),
]
