// The calendar pages, enhanced. Each page is complete without this script; with it:
//
// - the month and week views are drawn by FullCalendar (loaded only on those pages) from the
//   page's JSON address, in place of the server's tables;
// - the agenda, the grids and the task board follow the network's live event log over
//   /ws/networks/<id>/ (the protocol live.mjs speaks: hello, resume, event, resumed): when an
//   event or task this user may see is added or changes, the page's list is fetched again
//   from the server (which applies the access policy, as it did for the page) or the grid
//   refetches its events, and the change is announced politely to screen readers;
// - the feed address on the settings page gets a Copy button.
//
// Everything taken from a socket message is written with textContent; HTML is only ever
// taken from this site's own pages.

import { NetworkSocket, safePath, startAll, text } from './network-socket.mjs'

const REFRESH_DELAY_MS = 250
const CALENDAR_KINDS = new Set(['event.scheduled', 'event.changed'])

const EVENT_WORDS = {
  created: (p) => `Added to the calendar: ${text(p.title)}`,
  updated: (p) => `Changed in the calendar: ${text(p.title)}`,
  occurrence_updated: (p) => `One day changed in the calendar: ${text(p.title)}`,
  cancelled: (p) => `Cancelled: ${text(p.title)}`,
  occurrence_cancelled: (p) => `One day cancelled: ${text(p.title)}`,
  attendance: (p) => `Who is coming changed: ${text(p.title)}`
}

const TASK_WORDS = {
  created: (p) => `New task: ${text(p.title)}`,
  claimed: (p) => `${text(p.claimed_by) || 'Someone'} signed up for ${text(p.title)}`,
  released: (p) => `Open again: ${text(p.title)}`,
  done: (p) => `Marked done: ${text(p.title)}`,
  not_done: (p) => `Marked not done: ${text(p.title)}`
}

// --- Live updates ---------------------------------------------------------------------------

class LiveCalendar extends NetworkSocket {
  // root: an element with data-calendar-live-network, -sequence and -kind ("calendar_event"
  // or "care_task"); onChange: called (debounced) when something of that kind changed.
  constructor (root, onChange) {
    super({
      networkId: root.dataset.calendarLiveNetwork,
      lastSeen: Number(root.dataset.calendarLiveSequence),
      status: root.querySelector('[data-calendar-live-status]'),
      state: root.querySelector('[data-calendar-live-state]'),
      announcer: root.querySelector('[data-calendar-live-announcer]')
    })
    this.root = root
    this.onChange = onChange
    this.kind = root.dataset.calendarLiveKind
    this.refreshTimer = null
  }

  event (data) {
    const payload = data.payload
    if (!CALENDAR_KINDS.has(data.kind) || !payload || typeof payload !== 'object') return
    if (payload.object !== this.kind) return
    const words = (this.kind === 'care_task' ? TASK_WORDS : EVENT_WORDS)[payload.change]
    this.refreshSoon()
    if (words) this.tell(words(payload))
  }

  refreshSoon () {
    window.clearTimeout(this.refreshTimer)
    this.refreshTimer = window.setTimeout(() => this.onChange(), REFRESH_DELAY_MS)
  }
}

// Where focus was inside a region, as something that survives the region being redrawn: the
// nearest element with an id, and which of its focusable elements had focus.
const FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]'

function focusPlace (region) {
  const active = document.activeElement
  if (!active || !region.contains(active)) return null
  const anchor = active.closest('[id]')
  if (!anchor || !region.contains(anchor)) return null
  return { id: anchor.id, index: [...anchor.querySelectorAll(FOCUSABLE)].indexOf(active) }
}

function focusRestore (region, place) {
  if (!place) return
  const anchor = document.getElementById(place.id)
  if (!anchor || !region.contains(anchor)) return
  const target = anchor.querySelectorAll(FOCUSABLE)[place.index]
  if (target) target.focus({ preventScroll: true })
}

// Fetches the page's list again from the server and puts it in place of the old one.
async function regionRefresh (root) {
  const region = root.querySelector('[data-calendar-live-region]')
  const url = safePath(root.dataset.calendarLiveRefresh)
  if (!region || !url) return
  let response
  try {
    response = await window.fetch(url, {
      credentials: 'same-origin',
      headers: { Accept: 'text/html' }
    })
  } catch {
    return // offline: the next change or a reload brings it up to date
  }
  if (!response.ok) return
  const fresh = new window.DOMParser().parseFromString(await response.text(), 'text/html')
  const place = focusPlace(region)
  region.replaceChildren(...[...fresh.body.childNodes].map((node) => document.importNode(node, true)))
  focusRestore(region, place)
}

// --- Month and week views -------------------------------------------------------------------

function isoDay (date) {
  return date.toISOString().slice(0, 10)
}

// The text a cell shows to everyone: not what is hidden from screen readers.
function shownText (element) {
  const walker = document.createTreeWalker(element, window.NodeFilter.SHOW_TEXT)
  const words = []
  while (walker.nextNode()) {
    const node = walker.currentNode
    if (!node.parentElement.closest('[aria-hidden="true"]')) words.push(node.textContent)
  }
  return words.join(' ').replace(/\s+/g, ' ').trim()
}

// FullCalendar names each day's cell by its date alone, so a cell with events shows words
// its name does not contain (WCAG 2.5.3, label in name). Where the cell shows its day's
// number, that number is read instead, as it is seen (the column says the weekday, the grid
// the month); elsewhere the cell is named by its date and what it shows.
function cellsName (mount) {
  for (const cell of mount.querySelectorAll('[role="gridcell"][data-date]')) {
    const number = cell.querySelector(':scope > div > [aria-hidden="true"]')
    if (number && /^\d+$/.test(number.textContent.trim())) {
      number.removeAttribute('aria-hidden')
      cell.removeAttribute('aria-label')
      continue
    }
    if (!cell.dataset.dateLabel) {
      const label = cell.getAttribute('aria-label')
      if (!label) continue
      cell.dataset.dateLabel = label
    }
    const shown = shownText(cell)
    const name = shown ? `${cell.dataset.dateLabel}: ${shown}` : cell.dataset.dateLabel
    if (cell.getAttribute('aria-label') !== name) cell.setAttribute('aria-label', name)
  }
}

function cellsNameKept (mount) {
  let pending = false
  const observer = new window.MutationObserver(() => {
    if (pending) return
    pending = true
    window.requestAnimationFrame(() => {
      pending = false
      cellsName(mount)
    })
  })
  observer.observe(mount, { childList: true, subtree: true, characterData: true })
  cellsName(mount)
}

async function gridDraw (root) {
  const source = safePath(root.dataset.calendarSource)
  const mount = root.querySelector('[data-calendar-grid-mount]')
  if (!source || !mount) return null
  let FullCalendar
  try {
    FullCalendar = (await import('../build/fullcalendar.mjs')).default
  } catch {
    return null // the server's table stays
  }
  const view = root.dataset.calendarGrid === 'week' ? 'timeGridWeek' : 'dayGridMonth'
  const unit = view === 'timeGridWeek' ? 'week' : 'month'
  const hourMinute = { hour: '2-digit', minute: '2-digit', hour12: false }
  const calendar = new FullCalendar.Calendar(mount, {
    initialView: view,
    initialDate: root.dataset.calendarDate,
    // The JSON gives UK wall-clock times without an offset; "UTC" makes the library show
    // them as given, whatever zone the browser is in.
    timeZone: 'UTC',
    locale: 'en-GB',
    firstDay: 1,
    height: 'auto',
    headerToolbar: { start: 'title', end: 'prev,next today' },
    // A button's visible words are its whole name (WCAG 2.5.3).
    todayText: `This ${unit}`,
    todayHint: `This ${unit}`,
    prevHint: `Previous ${unit}`,
    nextHint: `Next ${unit}`,
    allDayText: 'All day',
    titleFormat: view === 'timeGridWeek'
      ? { day: 'numeric', month: 'long', year: 'numeric' }
      : { month: 'long', year: 'numeric' },
    dayHeaderFormat: view === 'timeGridWeek'
      ? { weekday: 'short', day: 'numeric' }
      : { weekday: 'short' },
    eventTimeFormat: hourMinute,
    slotHeaderFormat: hourMinute,
    scrollTime: '08:00:00',
    nowIndicator: false,
    dayMaxEvents: view === 'dayGridMonth' ? 3 : false,
    events: (info, succeed, fail) => {
      const query = new URLSearchParams({ start: isoDay(info.start), end: isoDay(info.end) })
      window.fetch(`${source}?${query}`, {
        credentials: 'same-origin',
        headers: { Accept: 'application/json' }
      })
        .then((response) => {
          if (!response.ok) throw new Error(`The calendar answered ${response.status}`)
          return response.json()
        })
        .then((occurrences) =>
          succeed(
            occurrences.map((each) => ({
              id: text(each.id),
              title: text(each.title),
              start: text(each.start),
              end: text(each.end),
              allDay: Boolean(each.allDay),
              url: safePath(each.url) || undefined,
              extendedProps: { kind: text(each.kind), when: text(each.when) }
            }))
          )
        )
        .catch(fail)
    },
    datesSet: (info) => {
      // Keep the address on what is shown, so that a reload or a shared link opens it.
      const shown = root.dataset.calendarGrid === 'week' ? info.start : info.view.currentStart
      const query = new URLSearchParams(window.location.search)
      query.set('view', root.dataset.calendarGrid)
      query.set('date', isoDay(shown))
      window.history.replaceState(null, '', `${window.location.pathname}?${query}`)
    }
  })
  const fallback = document.querySelector('[data-calendar-fallback]')
  root.hidden = false
  calendar.render()
  cellsNameKept(mount)
  if (fallback) fallback.hidden = true
  return calendar
}

// --- The feed address's Copy button ---------------------------------------------------------

function copyButton (group) {
  const source = group.querySelector('[data-calendar-copy-source]')
  const button = group.querySelector('[data-calendar-copy-button]')
  const status = group.querySelector('[data-calendar-copy-status]')
  if (!source || !button || !navigator.clipboard) return
  button.hidden = false
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(source.value)
      if (status) status.textContent = 'Address copied'
    } catch {
      source.focus()
      source.select()
      if (status) status.textContent = 'Press Control and C, or Command and C, to copy it'
    }
  })
}

// --- Start ----------------------------------------------------------------------------------

const live = []

for (const root of document.querySelectorAll('[data-calendar-grid]')) {
  const calendar = await gridDraw(root)
  if (calendar && root.dataset.calendarLiveNetwork && 'WebSocket' in window) {
    live.push(new LiveCalendar(root, () => calendar.refetchEvents()))
  }
}

for (const root of document.querySelectorAll('[data-calendar-live-refresh]')) {
  if (root.dataset.calendarLiveNetwork && 'WebSocket' in window) {
    live.push(new LiveCalendar(root, () => regionRefresh(root)))
  }
}

for (const group of document.querySelectorAll('[data-calendar-copy]')) copyButton(group)

startAll(live)
