"""The server error page, and a plainer one when the database is unreachable.

Django turns an exception that no view or middleware caught into ``handler500``'s
response. A lost database connection (the server restarting, a network cut) is not a bug
in Amity: the officer gets a 503 saying to try again in a moment, and the log one line,
not a traceback per request while the database is away. Django then drops the broken
connection at the end of the request (it notes the error), so the next request connects
afresh.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as default_server_error

logger = logging.getLogger(__name__)

# Seconds a browser or proxy is told to wait before asking again.
RETRY_AFTER = 10


@requires_csrf_token
def server_error(request):
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return default_server_error(request)
    logger.error(
        "Database unavailable while answering %s %s: %s",
        request.method,
        request.path,
        str(error).strip().replace("\n", " "),
    )
    # Like 500.html, rendered without a request: a context processor could query the
    # database (the user, the session) and fail again.
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    # Logged above in one line: Django's request logger would add a traceback.
    response._has_been_logged = True
    return response
