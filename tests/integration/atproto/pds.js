// The reference AT Protocol PDS (@atproto/pds) for integration tests, configured from
// PDS_* environment variables like the official PDS distribution. Started by peer.sh,
// which sets PDS_HOSTNAME=localhost, PDS_DEV_MODE=true, ports, data directories,
// per-run secrets, and turns rate limits off.
//
// Extra environment:
//   PDS_BIND            address to bind (default 127.0.0.1; loopback only)
//   PEER_EXIT_WITH_PID  exit once this process is gone (a harness that was killed)
'use strict'
const { PDS, envToCfg, envToSecrets, readEnv } = require('@atproto/pds')
const pkg = require('@atproto/pds/package.json')

const host = process.env.PDS_BIND || '127.0.0.1'

const main = async () => {
  const env = readEnv()
  env.version ||= pkg.version
  const cfg = envToCfg(env)
  const secrets = envToSecrets(env)
  const pds = await PDS.create(cfg, secrets)

  // PDS.start() calls app.listen(port), i.e. every interface: pin the bind address.
  const listen = pds.app.listen.bind(pds.app)
  pds.app.listen = (port, ...rest) => {
    const server = listen(port, host, ...rest)
    server.on('error', (err) => {
      console.error(`pds.js: ${err.code || ''} ${err.message}`)
      process.exit(1)
    })
    return server
  }
  await pds.start()
  console.log(`pds ${pkg.version} listening on ${host}:${cfg.service.port}, public URL ${cfg.service.publicUrl}, did ${cfg.service.did} (pid ${process.pid})`)

  let stopping = false
  const stop = async (why) => {
    if (stopping) return
    stopping = true
    console.log(`pds stopping (${why})`)
    setTimeout(() => process.exit(0), 5000).unref() // never hang the harness on shutdown
    try { await pds.destroy() } catch (err) { console.error('pds.js: destroy:', err) }
    process.exit(0)
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))

  const watched = Number(process.env.PEER_EXIT_WITH_PID || 0)
  if (watched > 0) {
    setInterval(() => {
      try { process.kill(watched, 0) } catch { stop(`harness pid ${watched} is gone`) }
    }, 2000).unref()
  }
}

main().catch((err) => {
  console.error('pds.js: failed to start:', err)
  process.exit(1)
})
