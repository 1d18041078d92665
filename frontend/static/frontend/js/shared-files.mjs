// The shared files page, live. The page is complete without this script; with it, when a
// file this user may see is shared, changed or removed, the list is fetched again from the
// server (which applies the access policy, as it did for the page) and the change is
// announced politely to screen readers.
//
// Everything taken from a socket message is written with textContent; HTML is only ever
// taken from this site's own page (the list's `?fragment=1`).

import { NetworkSocket, safePath, startAll, text } from './network-socket.mjs'

const REFRESH_DELAY_MS = 250
const FILE_KINDS = new Set(['file.shared', 'file.changed'])

const WORDS = {
  shared: (p) => `New file shared: ${text(p.title)}`,
  visibility: (p) => `Who can see a file changed: ${text(p.title)}`,
  removed: (p) => `File removed: ${text(p.title)}`
}

class LiveFiles extends NetworkSocket {
  constructor (root) {
    super({
      networkId: root.dataset.sharedFilesNetwork,
      lastSeen: Number(root.dataset.sharedFilesSequence),
      status: root.querySelector('[data-shared-files-status]'),
      state: root.querySelector('[data-shared-files-state]'),
      announcer: root.querySelector('[data-shared-files-announcer]'),
      missedWords: (count) => `${count} changes to the files while you were offline`
    })
    this.root = root
    this.refreshTimer = null
  }

  event (data) {
    const payload = data.payload
    if (!FILE_KINDS.has(data.kind) || !payload || typeof payload !== 'object') return
    if (payload.object !== 'shared_file') return
    window.clearTimeout(this.refreshTimer)
    this.refreshTimer = window.setTimeout(() => this.refresh(), REFRESH_DELAY_MS)
    const words = WORDS[payload.change]
    if (words) this.tell(words(payload))
  }

  async refresh () {
    const region = this.root.querySelector('[data-shared-files-region]')
    const url = safePath(this.root.dataset.sharedFilesRefresh)
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
    region.replaceChildren(...[...fresh.body.childNodes].map((node) => document.importNode(node, true)))
  }
}

const live = []
for (const root of document.querySelectorAll('[data-shared-files-network]')) {
  if ('WebSocket' in window) live.push(new LiveFiles(root))
}
startAll(live)
