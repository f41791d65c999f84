// ALTCHA, self-hosted: the widget and its proof-of-work worker, from this origin only.
import "../vendor/altcha/altcha.min.js";
import "../vendor/altcha/fr-fr.js";

const worker = new URL("../vendor/altcha/pbkdf2.js", import.meta.url);
for (const algorithm of ["PBKDF2/SHA-256", "PBKDF2/SHA-384", "PBKDF2/SHA-512"]) {
  globalThis.$altcha.algorithms.set(algorithm, () => new Worker(worker));
}
