"""Web view stand-in: serves an HTML page at / and proxies /api/acc/ to the
API server (CM_API_URL, default http://api-server:3000) with urllib."""
import os
import urllib.error
import urllib.request

from flask import Flask, Response

from app import debug_enabled, exit_on_sigterm, setup_logging

log = setup_logging("cm_web_view")
API_URL = os.environ.get("CM_API_URL", "http://api-server:3000").rstrip("/")

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>cm</title></head>
<body>
<h1>cm</h1>
<p>Accounts: <span id="acc">loading...</span></p>
<script>
fetch("api/acc/").then(r => r.json()).then(a => {
  document.getElementById("acc").textContent = a.map(x => x.username).join(", ");
});
</script>
</body>
</html>
"""

app = Flask(__name__)


@app.get("/")
def index():
    return Response(PAGE, mimetype="text/html")


@app.get("/api/acc/")
def api_accounts():
    url = API_URL + "/acc/"
    try:
        with urllib.request.urlopen(url, timeout=5) as upstream:
            body = upstream.read()
            resp = Response(body, status=upstream.status,
                            mimetype=upstream.headers.get_content_type())
            source = upstream.headers.get("X-CM-Source")
            if source:
                resp.headers["X-CM-Source"] = source
            return resp
    except urllib.error.HTTPError as exc:
        return Response(exc.read(), status=exc.code)
    except (urllib.error.URLError, OSError) as exc:
        log.warning("api %s unreachable: %s", url, exc)
        return Response('{"error": "api unreachable"}\n', status=502, mimetype="application/json")


def main():
    exit_on_sigterm()
    port = int(os.environ.get("CM_WEB_PORT", "8000"))
    log.info("cm_web_view dev server on 0.0.0.0:%d, api %s", port, API_URL)
    app.run(host="0.0.0.0", port=port, debug=debug_enabled(), use_reloader=False)


if __name__ == "__main__":
    main()
