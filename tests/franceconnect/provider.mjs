// An OpenID Provider configured like FranceConnect, for the tests only: the certified
// `oidc-provider` package (npm), on 127.0.0.1. Started by tests/franceconnect/conftest.py
// as `node tests/franceconnect/provider.mjs` with PORT, CLIENT_ID and CLIENT_SECRET.
//
// Like FranceConnect: ES256 keys; the ID token and the UserInfo answer signed (a JWT);
// acr `eidas1`; FranceConnect's scope and claim names; end-session. Unlike it, no human:
// the interaction signs in the test user chosen by the scenario, or refuses consent.
//
// The scenario (POST /__test__/scenario?user=...&...; a POST without parameters resets it)
// makes the provider misbehave, as a test needs:
//   user=<id>              who signs in (see USERS); unset: a page lists them (a person trying by hand)
//   as=<word>              that user with a sub and an email of their own (<sub>-<word>, <name>+<word>@...),
//                          for tests that share one database
//   error=<code>           the authorization ends with this error (access_denied: consent refused),
//   error_description=...  and this description
//   nonce=wrong            the ID token carries another nonce
//   acr=<value>            the ID token carries this acr (eidas0: below eidas1)
//   auth_time=<seconds>    the ID token says the person signed in then (a re-authentication not fresh)
//   foreign_key=id_token|userinfo   that JWT is signed by a key the JWKS does not hold
//   userinfo_<claim>=<value>        the UserInfo JWT says this (re-signed with the real key)
import http from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const PORT = Number(process.env.PORT || 4000);
const ISSUER = `http://127.0.0.1:${PORT}`;

// FranceConnect's claims: given names (space-separated), birth name, ISO birth date, the
// INSEE codes of the birthplace and birth country.
export const USERS = {
  isabelle: {
    sub: 'b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1',
    given_name: 'Isabelle', family_name: 'DUPONT', birthdate: '1980-12-21', gender: 'female',
    birthplace: '75107', birthcountry: '99100', email: 'isabelle.dupont@exemple.fr', preferred_username: '',
  },
  jean: {
    sub: 'a1f7c3e9d2b84f6a9e0c5b7d3f1a2e4c6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8v1',
    given_name: 'Jean-Étienne', family_name: 'MARTIN-LEFÈVRE', birthdate: '1965-11-02', gender: 'male',
    birthplace: '69123', birthcountry: '99100', email: 'jean.martin@exemple.fr', preferred_username: '',
  },
  marie: {
    sub: 'c3d5e7f9a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5v1',
    given_name: 'Marie Noëlle', family_name: "N'DIAYE", birthdate: '1990-01-31', gender: 'female',
    birthplace: '', birthcountry: '99350', email: 'marie.ndiaye@exemple.fr', preferred_username: '',
  },
};

const CLAIMS = ['given_name', 'family_name', 'birthdate', 'gender', 'birthplace', 'birthcountry', 'email',
  'preferred_username'];

function ecKey() {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'ES256', use: 'sig' };
}

const signingKey = ecKey();
const foreignKey = ecKey(); // never published: what a forger would sign with
let scenario = {};

const provider = new Provider(ISSUER, {
  clients: [{
    client_id: process.env.CLIENT_ID || 'sesame',
    client_secret: process.env.CLIENT_SECRET || 'secret',
    redirect_uris: [`http://127.0.0.1:5000/franceconnect/retour`],
    post_logout_redirect_uris: [`http://127.0.0.1:5000/franceconnect/deconnexion`],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'ES256',
    userinfo_signed_response_alg: 'ES256',
  }],
  jwks: { keys: [signingKey] },
  acrValues: ['eidas1', 'eidas2', 'eidas3'],
  claims: { openid: ['sub'], ...Object.fromEntries(CLAIMS.map((claim) => [claim, [claim]])) },
  scopes: ['openid', ...CLAIMS],
  cookies: { keys: ['test-only-cookie-key'] },
  features: {
    devInteractions: { enabled: false },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: { enabled: true, logoutSource },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // FranceConnect asks every time (its page "continuer avec..."): never a silent answer,
  // so a scenario's refusal applies even while a FranceConnect session is open.
  async loadExistingGrant(ctx) {
    const given = ctx.oidc.result?.consent?.grantId; // by this very interaction
    return given ? ctx.oidc.provider.Grant.find(given) : undefined;
  },
  async findAccount(ctx, id) {
    const [sub, word] = id.split('-');
    const user = Object.values(USERS).find((candidate) => candidate.sub === sub);
    const email = word ? user?.email.replace('@', `+${word}@`) : user?.email;
    return user && { accountId: id, claims: () => ({ ...user, sub: id, email }) };
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html><title>Erreur</title><h1>${out.error}</h1><p>${out.error_description}</p>`;
  },
});
provider.proxy = false;

// Sésame's test servers listen on any loopback port (a browser test's live server).
const onLoopback = (uri) => /^http:\/\/127\.0\.0\.1:\d+\/franceconnect\/(retour|deconnexion)$/.test(uri);
provider.Client.prototype.redirectUriAllowed = onLoopback;
provider.Client.prototype.postLogoutRedirectUriAllowed = onLoopback;

async function logoutSource(ctx, form) {
  ctx.body = `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Déconnexion de FranceConnect</title></head>
    <body><main><h1>Déconnexion de FranceConnect</h1>${form}
    <button type="submit" form="op.logoutForm" value="yes" name="logout">Me déconnecter de FranceConnect</button>
    </main></body></html>`;
}

// Tampering with the ID token and the UserInfo JWT, after the provider made them.
async function resign(token, changes, key) {
  const payload = { ...jose.decodeJwt(token), ...changes };
  return new jose.SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .sign(await jose.importJWK(key, 'ES256'));
}

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
    const changes = {};
    if (scenario.nonce === 'wrong') changes.nonce = 'not-the-nonce-of-this-request-0123456789';
    if (scenario.acr) changes.acr = scenario.acr;
    if (scenario.auth_time) changes.auth_time = Number(scenario.auth_time); // a sign-in of long ago
    const foreign = scenario.foreign_key === 'id_token';
    if (foreign || Object.keys(changes).length) {
      ctx.body = { ...ctx.body, id_token: await resign(ctx.body.id_token, changes, foreign ? foreignKey : signingKey) };
    }
  }
  const userinfoChanges = Object.fromEntries(Object.entries(scenario)
    .filter(([name]) => name.startsWith('userinfo_')).map(([name, value]) => [name.slice(9), value]));
  if (ctx.path === '/me' && ctx.status === 200
      && (scenario.foreign_key === 'userinfo' || Object.keys(userinfoChanges).length)) {
    ctx.body = await resign(ctx.body, userinfoChanges, scenario.foreign_key === 'userinfo' ? foreignKey : signingKey);
  }
});

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const chosen = new URL(req.url, ISSUER).searchParams.get('user') || scenario.user;
  if (scenario.error) {
    return provider.interactionFinished(req, res, {
      error: scenario.error, error_description: scenario.error_description || '',
    }, { mergeWithLastSubmission: false });
  }
  if (details.prompt.name === 'login') {
    if (!USERS[chosen]) return chooseUser(res, details.uid);
    const accountId = scenario.as ? `${USERS[chosen].sub}-${scenario.as}` : USERS[chosen].sub;
    return provider.interactionFinished(req, res, { login: { accountId, acr: 'eidas1' } },
      { mergeWithLastSubmission: false });
  }
  const grant = details.grantId ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  if (details.prompt.details.missingOIDCScope) grant.addOIDCScope(details.prompt.details.missingOIDCScope.join(' '));
  if (details.prompt.details.missingOIDCClaims) grant.addOIDCClaims(details.prompt.details.missingOIDCClaims);
  return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } },
    { mergeWithLastSubmission: true });
}

function chooseUser(res, uid) {
  const links = Object.entries(USERS).map(([id, user]) =>
    `<li><a href="/interaction/${uid}?user=${id}">${user.given_name} ${user.family_name}</a></li>`).join('');
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(`<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>FranceConnect de test</title></head>
    <body><main><h1>FranceConnect de test</h1><p>Qui se connecte ?</p><ul>${links}</ul></main></body></html>`);
}

function setScenario(req, res) {
  scenario = Object.fromEntries(new URL(req.url, ISSUER).searchParams);
  res.writeHead(204);
  res.end();
}

const callback = provider.callback();
http.createServer((req, res) => {
  const path = new URL(req.url, ISSUER).pathname;
  const handle = path === '/__test__/scenario' && req.method === 'POST' ? setScenario
    : path.startsWith('/interaction/') ? interaction : callback;
  Promise.resolve(handle(req, res)).catch((error) => {
    console.error(error);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
}).listen(PORT, '127.0.0.1', () => console.log(`listening ${ISSUER}`));
