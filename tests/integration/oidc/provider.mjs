// The certified oidc-provider on 127.0.0.1 for Clearpost's OAuth integration
// test: one public native client (PKCE required, no client secret), refresh
// tokens with rotation, revocation, and the development login and consent
// pages, which the test drives over HTTP.
//
// Environment: PORT (0 picks a free one), PORT_FILE (where the port is
// written once listening), PEER_EXIT_WITH_PID (exit once that process is gone).
//
// Test controls, under /_test/ (this server only ever runs on loopback for tests):
//   GET  /_test/counts                 -> {"refresh_token": n, "authorization_code": n, "forced": n}
//                                         token endpoint requests by grant type
//   POST /_test/token-delay?ms=N       -> each token request waits N ms first (0: none)
//   POST /_test/fail-next-token?status=S -> the next token request is answered S without
//                                         reaching the provider (a gateway outage)
import { writeFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 0);
const host = '127.0.0.1';

const counts = { refresh_token: 0, authorization_code: 0, forced: 0 };
let tokenDelayMs = 0;
let failNextToken = 0;

function configuration(issuerPort) {
  return {
    clients: [
      {
        client_id: 'clearpost-desktop',
        application_type: 'native', // loopback redirects on any port (RFC 8252 section 7.3)
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/callback'],
      },
    ],
    scopes: ['openid', 'offline_access', 'post:write'],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
    },
    cookies: { keys: [`clearpost-test-${issuerPort}-${process.pid}`] },
    ttl: {
      AccessToken: 600, AuthorizationCode: 60, RefreshToken: 3600, Grant: 3600,
      Session: 3600, Interaction: 600, IdToken: 600,
    },
    async findAccount(ctx, id) {
      return { accountId: id, async claims() { return { sub: id }; } };
    },
  };
}

// The issuer names the port, so the server is made after the port is known.
const probe = (await import('node:net')).createServer();
const chosen = await new Promise((resolve, reject) => {
  probe.once('error', reject);
  probe.listen(port, host, () => { const p = probe.address().port; probe.close(() => resolve(p)); });
});

const provider = new Provider(`http://${host}:${chosen}`, configuration(chosen));
provider.on('server_error', (ctx, err) => console.error('server_error', err));

provider.use(async (ctx, next) => {
  if (ctx.path.startsWith('/_test/')) {
    const q = ctx.query;
    if (ctx.path === '/_test/counts' && ctx.method === 'GET') {
      ctx.body = counts;
    } else if (ctx.path === '/_test/token-delay' && ctx.method === 'POST') {
      tokenDelayMs = Number(q.ms || 0);
      ctx.body = { ok: true };
    } else if (ctx.path === '/_test/fail-next-token' && ctx.method === 'POST') {
      failNextToken = Number(q.status || 503);
      ctx.body = { ok: true };
    } else {
      ctx.status = 404;
    }
    return;
  }
  const isToken = ctx.path === '/token' && ctx.method === 'POST';
  if (isToken && failNextToken) {
    ctx.status = failNextToken;
    ctx.body = 'upstream unavailable';
    failNextToken = 0;
    counts.forced += 1;
    return;
  }
  if (isToken && tokenDelayMs > 0) await new Promise((r) => setTimeout(r, tokenDelayMs));
  await next();
  if (isToken) {
    const grant = ctx.oidc?.params?.grant_type;
    if (grant in counts) counts[grant] += 1;
  }
});

const server = provider.listen(chosen, host, () => {
  if (process.env.PORT_FILE) writeFileSync(process.env.PORT_FILE, `${chosen}\n`);
  console.log(`oidc-provider listening on http://${host}:${chosen}`);
});

function stop() { server.closeAllConnections(); server.close(); process.exit(0); }
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, stop);
const parent = Number(process.env.PEER_EXIT_WITH_PID || 0);
if (parent) {
  setInterval(() => { try { process.kill(parent, 0); } catch { stop(); } }, 1000).unref();
}
