"""The agencies app's pages: ``people`` (people, agencies, the access log, for business
managers) and ``account`` (a person's own account); ``http`` types the signed-in request."""
