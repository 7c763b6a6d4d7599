// The yardstick bench/api-latency.ts compares the API against: the least an HTTPS function behind
// Hosting can do (answer a small JSON body). Loaded only by the benchmark's own emulator config.
const { onRequest } = require('firebase-functions/https');

exports.baselineHttp = onRequest({ cors: false }, (_req, res) => {
  res.set('Cache-Control', 'no-store').json({ ok: true, at: Date.now() });
});
