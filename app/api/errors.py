"""The API's error envelope for the OpenAPI document; the errors themselves are answered
at the edge (app.http)."""

import marshmallow as ma


class ErrorBodySchema(ma.Schema):
    status = ma.fields.Integer(required=True, metadata={"example": 422})
    code = ma.fields.String(required=True, metadata={"example": "missing_documents"})
    message = ma.fields.String(required=True)
    details = ma.fields.Dict(metadata={"description": "Facts about the error, by code"})


class ErrorSchema(ma.Schema):
    """The error envelope of every refused request."""

    error = ma.fields.Nested(ErrorBodySchema, required=True)
