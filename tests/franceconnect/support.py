"""The test OpenID Provider (provider.mjs, the `oidc-provider` package from npm) as a
process, and a user agent that goes through it as a person's browser would."""
import shutil
import socket
import subprocess
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from bs4 import BeautifulSoup

PROVIDER_JS = Path(__file__).resolve().parent / "provider.mjs"
CLIENT_ID, CLIENT_SECRET = "sesame-test", "a-test-only-client-secret-of-enough-length"
# The test users of provider.mjs, as FranceConnect describes them.
ISABELLE = {"sub": "b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1", "given_name": "Isabelle",
            "family_name": "DUPONT", "birthdate": "1980-12-21", "email": "isabelle.dupont@exemple.fr"}
JEAN = {"sub": "a1f7c3e9d2b84f6a9e0c5b7d3f1a2e4c6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8v1",
        "given_name": "Jean-Étienne", "family_name": "MARTIN-LEFÈVRE", "birthdate": "1965-11-02",
        "email": "jean.martin@exemple.fr"}


class Provider:
    def __init__(self):
        node = shutil.which("node")
        if node is None or not (PROVIDER_JS.parent.parent.parent / "node_modules" / "oidc-provider").is_dir():
            raise FileNotFoundError("node and node_modules/oidc-provider (npm ci) are needed")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [node, str(PROVIDER_JS)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={"PATH": "/usr/bin:/bin", "PORT": str(self.port), "CLIENT_ID": CLIENT_ID,
                 "CLIENT_SECRET": CLIENT_SECRET})
        for line in self.process.stdout:  # its warnings, then "listening"
            if line.startswith("listening"):
                break
        else:
            raise RuntimeError("the test provider did not start")

    def config(self) -> dict:
        """The app's settings for this provider."""
        return {"FRANCECONNECT_ISSUER": self.issuer, "FRANCECONNECT_CLIENT_ID": CLIENT_ID,
                "FRANCECONNECT_CLIENT_SECRET": CLIENT_SECRET}

    def scenario(self, **switches) -> None:
        """Who signs in and how the provider misbehaves (see provider.mjs); none: reset."""
        requests.post(f"{self.issuer}/__test__/scenario", params=switches, timeout=5).raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(5)


class UserAgent:
    """A person's browser at the provider: follows its redirects and submits its logout
    form, until it is sent back to the app (whose address is returned, not followed)."""

    def __init__(self, provider: Provider):
        self.provider, self.http = provider, requests.Session()

    def follow(self, url: str) -> str:
        for _ in range(10):
            if not url.startswith(self.provider.issuer):
                return url
            response = self.http.get(url, allow_redirects=False, timeout=5)
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
            elif "<form" in response.text:  # the logout confirmation, or its no-session auto-submit
                url = self._submit_form(url, response.text)
            else:
                raise AssertionError(f"the provider answered {response.status_code}: {response.text[:500]}")
        raise AssertionError("too many redirects")

    def _submit_form(self, url: str, page: str) -> str:
        form = BeautifulSoup(page, "html.parser").select_one("form")
        data = {field["name"]: field.get("value", "") for field in form.select("input[name]")} | {"logout": "yes"}
        response = self.http.post(urljoin(url, form["action"]), data=data, allow_redirects=False, timeout=5)
        assert response.is_redirect, response.text[:500]
        return urljoin(url, response.headers["Location"])


def path_of(url: str) -> str:
    """What the app's test client requests for an absolute URL of the app."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def through_franceconnect(client, provider: Provider, user: str = "isabelle", start: str = "/franceconnect/connexion",
                          **scenario):
    """The button pressed (or "Lier FranceConnect": `start`), the provider passed through as
    `user` (with the scenario's misbehaviour); the app's answer to the way back."""
    provider.scenario(user=user, **scenario)
    response = client.post(start)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    back = UserAgent(provider).follow(response.headers["Location"])
    return client.get(path_of(back))


def link_sub(app, account_id: str, sub: str) -> None:
    from wizard.accounts.models import Account
    from wizard.extensions import db
    with app.app_context():
        db.session.get(Account, account_id).franceconnect_sub = sub
        db.session.commit()
