// One network's live event stream, as every live page uses it: /ws/networks/<id>/.
//
// It connects, asks for what it missed since the last sequence it saw (hello → resume →
// event… → resumed), keeps the connection alive, reconnects with a growing delay (also when
// the server has been silent too long: heartbeats stop on a dead link), and stops
// for good when the user is removed from the network (revoked, or close code 4403). A page
// subclasses it and says what to do with each event in `event(data)`. Announcements go to a
// polite aria-live region with textContent only: nothing from a message is parsed as HTML.

const RETRY_FIRST_MS = 1000
const RETRY_MAX_MS = 30000
const PING_MS = 60000
// The server says how far it has sent every 20 s; silence this long means a dead link.
const SILENT_MS = 65000
const CLOSE_REVOKED = 4403
const REVOKED_WORDS = 'off: you are no longer a member of this network'

export function text (value) {
  return typeof value === 'string' ? value : value == null ? '' : String(value)
}

// Only a path on this site: a payload must never make a link elsewhere.
export function safePath (url) {
  return typeof url === 'string' && url.startsWith('/') && !url.startsWith('//') ? url : null
}

function socketUrl (networkId) {
  const scheme = window.location.protocol === 'https:' ? 'wss://' : 'ws://'
  return `${scheme}${window.location.host}/ws/networks/${encodeURIComponent(networkId)}/`
}

export class NetworkSocket {
  // networkId, lastSeen: the sequence the page was rendered at; state, status, announcer:
  // the page's status line parts and its polite live region (each may be null).
  constructor ({ networkId, lastSeen, state, status, announcer, missedWords }) {
    this.networkId = networkId
    this.lastSeen = Number.isSafeInteger(lastSeen) && lastSeen >= 0 ? lastSeen : 0
    this.state = state
    this.status = status
    this.announcer = announcer
    this.missedWords = missedWords || ((count) => `${count} changes while you were offline`)
    this.socket = null
    this.retryMs = RETRY_FIRST_MS
    this.retryTimer = null
    this.pingTimer = null
    this.announceTimer = null
    this.stopped = false
    this.replaying = false
    this.missed = []
  }

  // What the page does with one event it may see; `this.replaying` says if it was missed.
  event (data) {}

  start () {
    this.stopped = false
    if (this.status) this.status.hidden = false
    this.connect()
  }

  stop (reason) {
    this.stopped = true
    window.clearTimeout(this.retryTimer)
    window.clearInterval(this.pingTimer)
    if (this.socket) {
      const socket = this.socket
      this.socket = null
      socket.close()
    }
    this.setState(reason || 'off')
  }

  reconnectNow () {
    if (this.stopped || this.socket) return
    window.clearTimeout(this.retryTimer)
    this.retryMs = RETRY_FIRST_MS
    this.connect()
  }

  setState (words) {
    if (this.state) this.state.textContent = words
  }

  connect () {
    if (this.stopped || this.socket) return
    let socket
    try {
      socket = new window.WebSocket(socketUrl(this.networkId))
    } catch {
      this.retry()
      return
    }
    this.socket = socket
    this.heardAt = Date.now()
    socket.addEventListener('message', (message) => {
      this.heardAt = Date.now()
      this.receive(message)
    })
    socket.addEventListener('close', (closed) => this.closed(socket, closed))
  }

  closed (socket, closed) {
    if (socket !== this.socket) return
    this.socket = null
    window.clearInterval(this.pingTimer)
    if (closed.code === CLOSE_REVOKED) {
      this.stop(REVOKED_WORDS)
      return
    }
    this.retry()
  }

  retry () {
    if (this.stopped) return
    this.setState('off, reconnecting')
    window.clearTimeout(this.retryTimer)
    // A little randomness, so that many pages do not all come back at the same moment.
    const delay = this.retryMs * (0.75 + Math.random() / 2)
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS)
    this.retryTimer = window.setTimeout(() => this.connect(), delay)
  }

  keepAlive () {
    if (this.socket && Date.now() - this.heardAt > SILENT_MS) {
      // A dead link may not close for minutes: let it go and start a new one now.
      const silent = this.socket
      this.socket = null
      window.clearInterval(this.pingTimer)
      silent.close()
      this.retry()
      return
    }
    if (Date.now() - (this.pingedAt || 0) >= PING_MS) {
      this.pingedAt = Date.now()
      this.send({ type: 'ping' })
    }
  }

  send (message) {
    if (this.socket && this.socket.readyState === window.WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message))
    }
  }

  receive (message) {
    let data
    try {
      data = JSON.parse(message.data)
    } catch {
      return
    }
    if (!data || typeof data !== 'object') return
    switch (data.type) {
      case 'hello':
        this.retryMs = RETRY_FIRST_MS
        this.setState('on')
        window.clearInterval(this.pingTimer)
        this.pingTimer = window.setInterval(() => this.keepAlive(), PING_MS / 3)
        if (Number(data.last_sequence) > this.lastSeen) {
          this.replaying = true
          this.send({ type: 'resume', after: this.lastSeen })
        }
        break
      case 'heartbeat':
        // Everything up to there that this user may see has been sent: resume from there.
        this.seen(Number(data.last_sequence))
        break
      case 'resumed':
        this.replaying = false
        this.seen(Number(data.last_sequence))
        this.announceMissed()
        break
      case 'event': {
        const sequence = Number(data.sequence)
        if (Number.isSafeInteger(sequence) && sequence <= this.lastSeen) return // shown already
        this.seen(sequence)
        this.event(data)
        break
      }
      case 'revoked':
        this.stop(REVOKED_WORDS)
        break
    }
  }

  seen (sequence) {
    if (Number.isSafeInteger(sequence) && sequence > this.lastSeen) this.lastSeen = sequence
  }

  // Says it now, or, while replaying what was missed, once the replay is over.
  tell (words) {
    if (this.replaying) {
      this.missed.push(words)
    } else {
      this.announce(words)
    }
  }

  announceMissed () {
    const missed = this.missed
    this.missed = []
    if (missed.length === 1) this.announce(missed[0])
    if (missed.length > 1) this.announce(this.missedWords(missed.length))
  }

  // Clears the region, then fills it a moment later, so the same words are said again.
  announce (words) {
    if (!this.announcer) return
    window.clearTimeout(this.announceTimer)
    this.announcer.textContent = ''
    this.announceTimer = window.setTimeout(() => {
      this.announcer.textContent = words
    }, 100)
  }
}

// Starts the pages' sockets, and looks after them across the back-forward cache and going
// offline and online again.
export function startAll (sockets) {
  for (const socket of sockets) socket.start()
  window.addEventListener('pagehide', () => sockets.forEach((socket) => socket.stop()))
  window.addEventListener('pageshow', (shown) => {
    if (shown.persisted) sockets.forEach((socket) => socket.start())
  })
  window.addEventListener('online', () => sockets.forEach((socket) => socket.reconnectNow()))
}
