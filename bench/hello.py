"""The floor of issue 19: a bare Flask app's hello-world, served by the same gunicorn and
asked by the same client as Sésame, so that the cost per request that is not ours (HTTP
parsing, the connection, Flask's own dispatch) is measured in the same run."""
from flask import Flask

app = Flask(__name__)


@app.get("/healthz")
def hello():
    return "Hello, World!"
