"""The API's blueprint: flask-smorest's, with a request parser that answers any malformed
body with a 4xx, reads a JSON body only when it is sent as JSON, and reads a multipart body
as one location."""

import json

from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.datastructures import CombinedMultiDict

from app.errors import DomainError


class ApiParser(FlaskParser):
    """webargs' Flask parser, plus the `multipart` location and a JSON reader that refuses
    what the standard library cannot decode (deep nesting, integers of thousands of digits)."""

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def _raw_load_json(self, req):
        refuse_non_json_body(req)
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise  # webargs tells an empty body from a malformed one
        except (RecursionError, ValueError) as error:
            return self._handle_invalid_json_error(error, req)

    def load_multipart(self, req, schema):
        """Return the files and the form fields of the request as one MultiDictProxy."""
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


def refuse_non_json_body(req) -> None:
    """Refuse (415) a body for a JSON endpoint that is not declared JSON (`application/json`
    or `application/…+json`). webargs would read it as no body at all, so a `text/plain` post
    to a move that needs no fields would go through; an empty body without a type is none."""
    if is_json_request(req):
        return
    if req.mimetype or req.get_data(cache=True):
        raise DomainError(
            415, "unsupported_media_type", variant="json", media_type=req.mimetype or "-"
        )


class Blueprint(SmorestBlueprint):
    """A flask-smorest blueprint parsing with `ApiParser`. A multipart body is one schema at
    location `multipart`, so OpenAPI 3 documents it as one `multipart/form-data` request body
    (a form schema beside a files schema would not be)."""

    ARGUMENTS_PARSER = ApiParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **SmorestBlueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }

    def error_responses(self, **descriptions: str | None):
        """Document error answers at once, in the one error shape: `error_responses(
        e403="forbidden_role", e404=None)` stands for one `alt_response` per status (None: the
        status's own phrase)."""
        from app.api.errors import ErrorSchema

        def decorate(view):
            for name, description in reversed(descriptions.items()):
                status = int(name.removeprefix("e"))
                view = self.alt_response(status, schema=ErrorSchema, description=description)(view)
            return view

        return decorate
