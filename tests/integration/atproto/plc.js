// In-memory did:plc directory for integration tests: @did-plc/server with its mock
// (in-memory) database, which is what @atproto/dev-env uses. Started by peer.sh.
//
// Environment:
//   PLC_PORT            port to listen on (required)
//   PLC_BIND            address to bind (default 127.0.0.1; loopback only)
//   PEER_EXIT_WITH_PID  exit once this process is gone (a harness that was killed)
'use strict'
const { PlcServer, Database } = require('@did-plc/server')

const port = Number(process.env.PLC_PORT)
if (!Number.isInteger(port) || port <= 0) {
  console.error('plc.js: PLC_PORT must be a port number')
  process.exit(2)
}
const host = process.env.PLC_BIND || '127.0.0.1'

const plc = PlcServer.create({ db: Database.mock(), port })
// PlcServer.start() would listen on every interface: listen on loopback ourselves.
const server = plc.app.listen(port, host, () => {
  console.log(`plc listening on http://${host}:${port} (pid ${process.pid})`)
})
server.on('error', (err) => {
  console.error(`plc.js: ${err.code || ''} ${err.message}`)
  process.exit(1)
})

// The state is in memory only: on a signal, drop the connections and exit at once
// (server.close() alone would wait for keep-alive clients).
const stop = (why) => {
  console.log(`plc stopping (${why})`)
  server.closeAllConnections()
  server.close()
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
