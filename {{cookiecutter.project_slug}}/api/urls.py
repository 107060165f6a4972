from django.urls import path

from . import views

urlpatterns = [
    path("public", views.PublicMessageView.as_view(), name="public"),
    path("private", views.PrivateMessageView.as_view(), name="private"),
    path("private-scoped", views.PrivateScopedMessageView.as_view(), name="private-scoped"),
]
