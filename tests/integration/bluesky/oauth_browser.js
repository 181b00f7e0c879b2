// The test's stand-in for a person at a browser during atproto OAuth: opens
// the authorisation page of the loopback PDS, signs in and consents through
// the JSON API the PDS's own sign-in page uses (its device and CSRF cookies,
// Sec-Fetch-*, Origin and Referer headers, as a browser sends them), then
// follows the redirect to Clearpost's loopback listener.
//
//   node oauth_browser.js AUTHORIZATION_URL
//
// Environment: OAUTH_HANDLE, OAUTH_PASSWORD (the account's own password, as
// a person types it on the PDS's page).
// Written for @atproto/pds 0.4.217 (its oauth-provider names the account
// `sub` in the consent call). Exits 0 once the listener answered.
'use strict'
const http = require('node:http')

const authorizeUrl = process.argv[2]
const handle = process.env.OAUTH_HANDLE
const password = process.env.OAUTH_PASSWORD
const jar = new Map()

function request(method, url, headers = {}, body) {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
    const req = http.request({
      // The PDS listens on 127.0.0.1 but names itself localhost: dial the
      // address, keep the name in Host.
      host: u.hostname === 'localhost' ? '127.0.0.1' : u.hostname,
      port: u.port || 80,
      method,
      path: u.pathname + u.search,
      headers: { host: u.host, ...(cookie ? { cookie } : {}), ...headers,
                 ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) },
    }, (res) => {
      for (const c of res.headers['set-cookie'] || []) {
        const pair = c.split(';')[0]
        const i = pair.indexOf('=')
        jar.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim())
      }
      const chunks = []
      res.on('data', (d) => chunks.push(d))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString()
        let json
        try { json = JSON.parse(text) } catch { json = undefined }
        resolve({ status: res.statusCode, headers: res.headers, text, json })
      })
    })
    req.on('error', reject)
    if (body) req.write(body)
    req.end()
  })
}

function fail(what, res) {
  console.error(`oauth_browser: ${what} failed: ${res ? res.status + ' ' + res.text.slice(0, 300) : ''}`)
  process.exit(1)
}

;(async () => {
  const page = await request('GET', authorizeUrl, {
    'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', 'user-agent': 'clearpost-test',
  })
  if (page.status !== 200) fail('opening the authorisation page', page)
  const origin = new URL(authorizeUrl).origin
  const api = (endpoint, payload, extra = {}) => request('POST', `${origin}/@atproto/oauth-provider/~api${endpoint}`, {
    'content-type': 'application/json', origin, referer: authorizeUrl,
    'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'same-origin', 'sec-fetch-dest': 'empty',
    'x-csrf-token': jar.get('csrf-token'), 'user-agent': 'clearpost-test', ...extra,
  }, JSON.stringify(payload))

  const signIn = await api('/sign-in', { locale: 'en', username: handle, password, remember: false })
  if (signIn.status !== 200) fail('signing in', signIn)
  const account = signIn.json.account
  const who = account.did ? { did: account.did } : { sub: account.sub }
  const consent = await api('/consent', who, { authorization: `Bearer ${signIn.json.ephemeralToken}` })
  if (consent.status !== 200 || !consent.json || !consent.json.url) fail('consenting', consent)
  const next = consent.json.url
  const redirect = await request('GET', next, {
    referer: authorizeUrl, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document',
  })
  const target = redirect.headers.location || (redirect.text.match(/(http:\/\/127\.0\.0\.1[^"'<\s]*)/) || [])[1]
  if (!target) fail('finding the redirect to Clearpost', redirect)
  const back = await request('GET', target.replace(/&amp;/g, '&'))
  if (back.status !== 200 && back.status !== 400) fail('returning to Clearpost', back)
  process.exit(0)
})().catch((e) => { console.error('oauth_browser:', e); process.exit(1) })
