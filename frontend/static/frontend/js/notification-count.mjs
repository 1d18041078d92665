// Keeps every unread notification count on the page up to date, from the user's notice
// stream (/ws/notices/). Without JavaScript the count is the one rendered with the page.
//
// A count is any element with `data-notification-count`; its text becomes the number. With
// `data-notification-count="badge"` it is also hidden while the number is 0.
// The server sends {"type": "notice", "text": "{\"kind\": \"notifications.unread\", \"unread\": 3}"}.

const KIND = 'notifications.unread'
const CLOSE_UNAUTHENTICATED = 4401
const PING_MS = 25000

function counters () {
  return document.querySelectorAll('[data-notification-count]')
}

function show (unread) {
  if (!Number.isInteger(unread) || unread < 0) return
  for (const element of counters()) {
    element.textContent = String(unread)
    if (element.dataset.notificationCount === 'badge') element.hidden = unread === 0
  }
}

async function catchUp () {
  try {
    const response = await fetch('/notifications/unread-count/', {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' }
    })
    if (response.ok) show((await response.json()).unread)
  } catch {
    // Offline: the next notice or reconnect brings the count.
  }
}

function unreadFrom (data) {
  let message
  try {
    message = JSON.parse(data)
  } catch {
    return null
  }
  if (!message || message.type !== 'notice' || typeof message.text !== 'string') return null
  try {
    const body = JSON.parse(message.text)
    return body && body.kind === KIND ? body.unread : null
  } catch {
    return null // a plain-text notice, not for us
  }
}

function connect (attempt = 0) {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws'
  const socket = new WebSocket(`${scheme}://${window.location.host}/ws/notices/`)
  let ping = null
  socket.addEventListener('open', () => {
    attempt = 0
    catchUp() // anything missed while the socket was down
    ping = window.setInterval(() => socket.send(JSON.stringify({ type: 'ping' })), PING_MS)
  })
  socket.addEventListener('message', (event) => {
    const unread = unreadFrom(event.data)
    if (unread !== null) show(unread)
  })
  socket.addEventListener('close', (event) => {
    if (ping !== null) window.clearInterval(ping)
    if (event.code === CLOSE_UNAUTHENTICATED) return
    const delay = Math.min(30000, 1000 * 2 ** attempt)
    window.setTimeout(() => connect(attempt + 1), delay)
  })
}

if (counters().length > 0 && 'WebSocket' in window) connect()
