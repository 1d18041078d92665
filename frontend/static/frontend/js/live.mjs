// Live updates on a network's pages. The pages are complete without it; with it, a concern
// raised or changed by someone else appears without a reload and is announced politely.
//
// On an element with data-live-network="<id>" (and data-live-sequence, the sequence the page
// was rendered at) it opens /ws/networks/<id>/, asks for what it missed since, and then
// receives each event the server lets this user see. It reconnects with a growing delay,
// resuming from the last sequence seen, which it keeps per network in sessionStorage.
// Everything taken from a message is written with textContent: never parsed as HTML.

import { NetworkSocket, safePath, startAll, text } from './network-socket.mjs'

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

class LiveNetwork extends NetworkSocket {
  constructor (root) {
    const networkId = root.dataset.liveNetwork
    const rendered = Number(root.dataset.liveSequence)
    super({
      networkId,
      lastSeen: Number.isSafeInteger(rendered) && rendered >= 0
        ? rendered
        : storedSequence(networkId),
      status: root.querySelector('[data-live-status]'),
      state: root.querySelector('[data-live-state]'),
      announcer: root.querySelector('[data-live-announcer]'),
      missedWords: (count) => `${count} new concerns while you were offline`
    })
    this.root = root
    this.table = root.querySelector('[data-live-concerns]')
    this.rowTemplate = root.querySelector('template[data-live-row]')
    this.empty = root.querySelector('[data-live-empty]')
    this.timeZone = root.dataset.liveTimeZone || undefined
    const tags = document.getElementById('concern-tag-classes')
    this.tagClasses = tags ? JSON.parse(tags.textContent) : { severity: {}, status: {} }
  }

  seen (sequence) {
    super.seen(sequence)
    storeSequence(this.networkId, this.lastSeen)
  }

  event (data) {
    if (!CONCERN_KINDS.has(data.kind) || !data.payload || typeof data.payload !== 'object') {
      return
    }
    const concern = data.payload
    const existing = this.rowFor(concern.concern_id)
    if (existing) {
      this.fill(existing, concern)
      if (data.kind === 'concern.updated') {
        this.tell(
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
    this.tell(words)
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

startAll(pages)
