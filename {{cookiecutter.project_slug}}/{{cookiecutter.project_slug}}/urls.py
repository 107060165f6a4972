from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("api/", include("api.urls")),
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

# JSON bodies for errors raised outside DRF views, such as an unknown URL.
handler400 = "rest_framework.exceptions.bad_request"
handler404 = "{{ cookiecutter.project_slug }}.error_views.not_found"
handler500 = "rest_framework.exceptions.server_error"
