"""What the tests of pages with forms share."""


def assert_refused_on(response, field: str, form_name: str = "form") -> None:
    """The page was shown again with the error on `field`, in its own message and in the error summary's link."""
    assert response.status_code in (200, 400)
    form = response.context[form_name]
    assert field in form.errors, form.errors
    assert b"There is a problem" in response.content
    assert f'href="#{form[field].id_for_label}"'.encode() in response.content
