// Live updates on a network's pages. The pages are complete without it; with it, a concern
// raised or changed by someone else appears without a reload and is announced politely.
//
// On an element with data-live-network="<id>" (and data-live-sequence, the sequence the page
// was rendered at) it opens /ws/networks/<id>/, asks for what it missed since, and then
// receives each event the server lets this user see. It reconnects with a growing delay,
// resuming from the last sequence seen, which it keeps per network in sessionStorage.
// Everything taken from a message is written with textContent: never parsed as HTML.

const RETRY_FIRST_MS = 1000
const RETRY_MAX_MS = 30000
const PING_MS = 60000
const CLOSE_REVOKED = 4403
const CONCERN_KINDS = new Set(['concern.raised', 'concern.updated'])

function storageKey (networkId) {
  return `caregraph.live.${networkId}.lastSequence`
}

function storedSequence (networkId) {
  try {
    const value = Number(window.sessionStorage.getItem(storageKey(networkId)))
    return Number.isSafeInteger(value) && value >= 0 ? value : 0
  } catch {
    return 0 // storage refused (private mode): the page's own sequence is enough
  }
}

function storeSequence (networkId, sequence) {
  try {
    window.sessionStorage.setItem(storageKey(networkId), String(sequence))
  } catch {
    // Nothing to do: resuming then starts from what this page last saw.
  }
}

function socketUrl (networkId) {
  const scheme = window.location.protocol === 'https:' ? 'wss://' : 'ws://'
  return `${scheme}${window.location.host}/ws/networks/${encodeURIComponent(networkId)}/`
}

// Only a path on this site: a payload must never make a link elsewhere.
function safePath (url) {
  return typeof url === 'string' && url.startsWith('/') && !url.startsWith('//') ? url : null
}

function text (value) {
  return typeof value === 'string' ? value : value == null ? '' : String(value)
}

class LiveNetwork {
  constructor (root) {
    this.root = root
    this.networkId = root.dataset.liveNetwork
    const rendered = Number(root.dataset.liveSequence)
    this.lastSeen = Number.isSafeInteger(rendered) && rendered >= 0
      ? rendered
      : storedSequence(this.networkId)
    this.status = root.querySelector('[data-live-status]')
    this.state = root.querySelector('[data-live-state]')
    this.announcer = root.querySelector('[data-live-announcer]')
    this.table = root.querySelector('[data-live-concerns]')
    this.rowTemplate = root.querySelector('template[data-live-row]')
    this.empty = root.querySelector('[data-live-empty]')
    this.timeZone = root.dataset.liveTimeZone || undefined
    const tags = document.getElementById('concern-tag-classes')
    this.tagClasses = tags ? JSON.parse(tags.textContent) : { severity: {}, status: {} }
    this.socket = null
    this.retryMs = RETRY_FIRST_MS
    this.retryTimer = null
    this.pingTimer = null
    this.stopped = false
    this.replaying = false
    this.missed = []
    this.announceTimer = null
  }

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
    socket.addEventListener('message', (message) => this.receive(message))
    socket.addEventListener('close', (closed) => this.closed(socket, closed))
  }

  closed (socket, closed) {
    if (socket !== this.socket) return
    this.socket = null
    window.clearInterval(this.pingTimer)
    if (closed.code === CLOSE_REVOKED) {
      this.stop('off: you are no longer a member of this network')
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
        this.pingTimer = window.setInterval(() => this.send({ type: 'ping' }), PING_MS)
        if (Number(data.last_sequence) > this.lastSeen) {
          this.replaying = true
          this.send({ type: 'resume', after: this.lastSeen })
        }
        break
      case 'resumed':
        this.replaying = false
        this.seen(Number(data.last_sequence))
        this.announceMissed()
        break
      case 'event':
        this.event(data)
        break
      case 'revoked':
        this.stop('off: you are no longer a member of this network')
        break
    }
  }

  seen (sequence) {
    if (Number.isSafeInteger(sequence) && sequence > this.lastSeen) {
      this.lastSeen = sequence
      storeSequence(this.networkId, sequence)
    }
  }

  event (data) {
    this.seen(Number(data.sequence))
    if (!CONCERN_KINDS.has(data.kind) || !data.payload || typeof data.payload !== 'object') {
      return
    }
    const concern = data.payload
    const existing = this.rowFor(concern.concern_id)
    if (existing) {
      this.fill(existing, concern)
      if (data.kind === 'concern.updated') {
        this.announce(
          `${text(concern.category_label)} concern is now ${text(concern.status_label).toLowerCase()}`
        )
      }
      return
    }
    if (data.kind !== 'concern.raised') return
    const shown = this.insert(concern)
    let where = ''
    if (!shown && this.table && !('liveInsert' in this.table.dataset)) {
      where = '. It is on the first page'
    } else if (!shown && this.table) {
      where = '. It is not shown with the filters you chose'
    }
    const words = `New ${text(concern.severity_label).toLowerCase()} concern: ` +
      `${text(concern.category_label)}, raised by ${text(concern.raised_by)}${where}`
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
    if (missed.length > 1) this.announce(`${missed.length} new concerns while you were offline`)
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

  rowFor (concernId) {
    if (!this.table || !Number.isSafeInteger(Number(concernId))) return null
    return this.table.querySelector(`tr[data-concern-id="${Number(concernId)}"]`)
  }

  matchesFilters (concern) {
    const filters = this.table.dataset
    return ['status', 'severity', 'category'].every((name) => {
      const wanted = filters[`filter${name[0].toUpperCase()}${name.slice(1)}`]
      return !wanted || wanted === concern[name]
    })
  }

  insert (concern) {
    if (!this.table || !this.rowTemplate || !('liveInsert' in this.table.dataset)) return false
    if (!Number.isSafeInteger(Number(concern.concern_id)) || !this.matchesFilters(concern)) {
      return false
    }
    const row = this.rowTemplate.content.firstElementChild.cloneNode(true)
    row.id = `concern-${Number(concern.concern_id)}`
    row.dataset.concernId = String(Number(concern.concern_id))
    this.fill(row, concern)
    const body = this.table.tBodies[0]
    body.insertBefore(row, body.firstElementChild)
    this.table.hidden = false
    if (this.empty) this.empty.hidden = true
    return true
  }

  fill (row, concern) {
    const field = (name) => row.querySelector(`[data-field="${name}"]`)
    const category = field('category')
    if (category) {
      category.textContent = text(concern.category_label)
      const path = safePath(concern.url)
      if (path && category.tagName === 'A') category.setAttribute('href', path)
    }
    this.tag(field('severity'), 'severity', concern.severity, concern.severity_label)
    this.tag(field('status'), 'status', concern.status, concern.status_label)
    const raised = field('raised_at')
    const time = raised && raised.querySelector('time')
    if (time && concern.raised_at) {
      time.setAttribute('datetime', text(concern.raised_at))
      time.textContent = this.when(concern.raised_at)
    }
    const raisedBy = field('raised_by')
    if (raisedBy) raisedBy.textContent = text(concern.raised_by)
  }

  tag (element, kind, value, label) {
    if (!element) return
    element.textContent = text(label)
    element.className = 'govuk-tag'
    const extra = (this.tagClasses[kind] || {})[value]
    if (typeof extra === 'string' && /^[a-z-]+$/.test(extra)) element.classList.add(extra)
  }

  // "3 February 2026 at 10:05", as the server writes it.
  when (iso) {
    const date = new Date(iso)
    if (Number.isNaN(date.getTime())) return ''
    const parts = {}
    const format = new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone: this.timeZone
    })
    for (const part of format.formatToParts(date)) parts[part.type] = part.value
    return `${parts.day} ${parts.month} ${parts.year} at ${parts.hour}:${parts.minute}`
  }
}

const pages = [...document.querySelectorAll('[data-live-network]')]
  .filter((root) => root.dataset.liveNetwork && 'WebSocket' in window)
  .map((root) => new LiveNetwork(root))

for (const page of pages) page.start()

// Leave no socket behind in the back-forward cache; come back to life when restored.
window.addEventListener('pagehide', () => pages.forEach((page) => page.stop()))
window.addEventListener('pageshow', (shown) => {
  if (shown.persisted) pages.forEach((page) => page.start())
})
window.addEventListener('online', () => {
  for (const page of pages) {
    if (!page.stopped && !page.socket) {
      window.clearTimeout(page.retryTimer)
      page.retryMs = RETRY_FIRST_MS
      page.connect()
    }
  }
})
