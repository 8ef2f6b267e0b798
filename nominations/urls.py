"""Web pages of the nominations app (unit officers and the office)."""

urlpatterns: list = []
