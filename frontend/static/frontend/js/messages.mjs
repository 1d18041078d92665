// Messages, live. Each page is complete without this script; with it, over the network's
// event stream (/ws/networks/<id>/, see network-socket.mjs):
//
// - an open thread adds each new message as it is sent, marks it read and says so politely;
// - the messages list moves a thread with a new message to the top with its unread count;
// - the "Messages" section link's unread count follows, on either page.
//
// A `message.posted` event carries only ids: the stream addresses it to the thread's readers
// alone, and what is shown is read from the API, which applies the access policy as the page
// did. Everything is written with textContent: nothing from a message is parsed as HTML.

import { NetworkSocket, startAll, text } from './network-socket.mjs'

const KIND = 'message.posted'
const AUDIENCES = { network: 'Everyone in the network', chosen: 'Only the people I choose' }
const WHEN = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/London'
})

function api (networkId, path) {
  return `/api/v1/networks/${encodeURIComponent(networkId)}/${path}`
}

function csrfToken () {
  const input = document.querySelector('input[name="csrfmiddlewaretoken"]')
  return input ? input.value : ''
}

async function getJson (url) {
  const response = await fetch(url, {
    credentials: 'same-origin',
    headers: { Accept: 'application/json' }
  })
  if (!response.ok) throw new Error(`${response.status}`)
  return response.json()
}

async function postJson (url, body) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      Accept: 'application/json',
      'Content-Type': 'application/json',
      'X-CSRFToken': csrfToken()
    },
    body: JSON.stringify(body)
  })
  if (!response.ok) throw new Error(`${response.status}`)
  return response.json()
}

function when (iso) {
  const date = new Date(text(iso))
  return Number.isNaN(date.getTime()) ? '' : WHEN.format(date).replace(', ', ' at ')
}

function field (element, name) {
  return element.querySelector(`[data-field="${name}"]`)
}

function setTime (element, iso) {
  if (!element) return
  element.setAttribute('datetime', text(iso))
  element.textContent = when(iso)
}

// The count beside "Messages" in the record's sections, hidden at 0.
function showTotal (unread) {
  if (!Number.isInteger(unread) || unread < 0) return
  for (const count of document.querySelectorAll('[data-messages-unread-total]')) {
    count.textContent = String(unread)
  }
  for (const wrapper of document.querySelectorAll('[data-messages-unread]')) {
    wrapper.hidden = unread === 0
  }
}

async function refreshTotal (networkId) {
  try {
    showTotal((await getJson(api(networkId, 'messages/unread/'))).unread)
  } catch {
    // Offline or signed out: the next event or a reload brings the count.
  }
}

class LiveMessages extends NetworkSocket {
  constructor (root) {
    super({
      networkId: root.dataset.messagesNetwork,
      lastSeen: Number(root.dataset.messagesSequence),
      status: root.querySelector('[data-messages-live-status]'),
      state: root.querySelector('[data-messages-live-state]'),
      announcer: root.querySelector('[data-messages-live-announcer]'),
      missedWords: (count) => `${count} new messages while you were offline`
    })
    this.root = root
    this.queue = Promise.resolve()
  }

  event (data) {
    const payload = data.payload
    if (data.kind !== KIND || !payload || typeof payload !== 'object') return
    const threadId = Number(payload.thread_id)
    if (!Number.isSafeInteger(threadId)) return
    // One change at a time, in order, so that two messages close together are not fetched
    // twice or out of order.
    this.queue = this.queue
      .then(() => this.posted(threadId))
      .catch(() => {})
      .then(() => refreshTotal(this.networkId))
  }

  async posted (threadId) {}
}

// An open thread: adds the messages sent since the last one shown, and marks them read.
class LiveThread extends LiveMessages {
  constructor (root) {
    super(root)
    this.threadId = Number(root.dataset.messagesThread)
    this.last = Number(root.dataset.messagesLast) || 0
    this.list = root.querySelector('[data-messages-list]')
    this.template = root.querySelector('template[data-messages-message]')
  }

  async posted (threadId) {
    if (threadId !== this.threadId) return
    const base = `threads/${encodeURIComponent(this.threadId)}/`
    let added = 0
    let page
    do {
      page = await getJson(api(this.networkId, `${base}messages/?after=${this.last}`))
      for (const message of page.results || []) {
        const id = Number(message.id)
        if (!Number.isSafeInteger(id) || id <= this.last) continue
        this.append(id, message)
        this.last = id
        added += 1
        const author = message.author ? text(message.author.display_name) : ''
        this.tell(author ? `New message from ${author}` : 'New message')
      }
    } while (page.next && (page.results || []).length)
    if (added) await postJson(api(this.networkId, `${base}read/`), { up_to: this.last })
  }

  append (id, message) {
    const item = this.template.content.firstElementChild.cloneNode(true)
    item.id = `message-${id}`
    field(item, 'author').textContent = message.author ? text(message.author.display_name) : ''
    setTime(field(item, 'created_at'), message.created_at)
    field(item, 'text').textContent = text(message.text)
    this.list.append(item)
  }
}

// The list of threads: a thread with a new message goes to the top, with its unread count.
class LiveThreadList extends LiveMessages {
  constructor (root) {
    super(root)
    this.list = root.querySelector('[data-messages-threads]')
    this.template = root.querySelector('template[data-messages-row]')
    this.empty = root.querySelector('[data-messages-empty]')
  }

  async posted (threadId) {
    const thread = await getJson(api(this.networkId, `threads/${encodeURIComponent(threadId)}/`))
    let row = this.list.querySelector(`[data-thread-id="${threadId}"]`)
    if (!row) {
      if (!this.list.hasAttribute('data-messages-insert')) return // only the first page
      row = this.template.content.firstElementChild.cloneNode(true)
      row.id = `thread-${threadId}`
      row.dataset.threadId = String(threadId)
      field(row, 'subject').setAttribute(
        'href',
        `/networks/${encodeURIComponent(this.networkId)}/messages/${threadId}/`
      )
    }
    const unread = Number(thread.unread) || 0
    field(row, 'subject').textContent = text(thread.subject)
    field(row, 'unread').textContent = String(unread)
    field(row, 'unread-tag').hidden = unread === 0
    field(row, 'audience').textContent = AUDIENCES[thread.audience] || ''
    setTime(field(row, 'last_message_at'), thread.last_message_at)
    this.list.prepend(row)
    if (this.empty) this.empty.hidden = true
    if (unread) this.tell(`New message in ${text(thread.subject)}`)
  }
}

const pages = [...document.querySelectorAll('[data-messages-live]')].map((root) =>
  root.dataset.messagesLive === 'thread' ? new LiveThread(root) : new LiveThreadList(root)
)
startAll(pages)
