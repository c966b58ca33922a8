"""The documented shapes of the REST API's answers (and of the bodies the routes read
themselves), one module per area, for ``/openapi.json`` and the clients generated from
it. The routes answer with :class:`mdm.http.responses.JsonResponse`, so these models
document the bodies and never filter them: an answer's field a model leaves out still
goes out, and open-ended maps (a record's attributes, its lineage) are typed as objects.
The shape of every refusal is :class:`mdm.http.refusals.Error`."""
