// Live wellbeing updates: a new update from someone else appears at the top of the list
// without a reload, and replies and reactions are counted as they come. The page is
// complete without it. Everything taken from a message is written with textContent (and
// photo addresses are built here from ids, never taken from the message).

import { NetworkSocket, startAll, text } from './network-socket.mjs'

const VISIBILITY_WORDS = {
  network: 'Everyone in the network, family too',
  professionals: 'Professionals only',
  agency: 'My agency only',
  restricted: 'Only me and safeguarding leads'
}

function photoUrl (template, photoId) {
  const id = Number(photoId)
  if (!Number.isSafeInteger(id) || id <= 0 || !template) return null
  return template.replace('/photos/0/', `/photos/${id}/`)
}

class LiveUpdates extends NetworkSocket {
  constructor (root) {
    const rendered = Number(root.dataset.wellbeingSequence)
    super({
      networkId: root.dataset.wellbeingNetwork,
      lastSeen: Number.isSafeInteger(rendered) && rendered >= 0 ? rendered : 0,
      status: root.querySelector('[data-live-status]'),
      state: root.querySelector('[data-live-state]'),
      announcer: root.querySelector('[data-live-announcer]'),
      missedWords: (count) => `${count} changes to the updates while you were offline`
    })
    this.root = root
    this.list = root.querySelector('[data-wellbeing-updates]')
    this.template = root.querySelector('template[data-wellbeing-template]')
    this.empty = root.querySelector('[data-wellbeing-empty]')
    this.thumbnailUrl = root.dataset.wellbeingPhotoUrl
    this.fullUrl = root.dataset.wellbeingPhotoFullUrl
  }

  event (data) {
    const payload = data.payload
    if (!payload || typeof payload !== 'object' || payload.object !== 'wellbeing_update') return
    const updateId = Number(payload.update_id)
    if (!Number.isSafeInteger(updateId)) return
    if (data.kind === 'wellbeing.posted') {
      if (this.articleFor(updateId)) return
      this.insert(updateId, payload)
      this.tell(`New update from ${text(payload.author)}`)
    } else if (data.kind === 'wellbeing.replied') {
      const article = this.articleFor(updateId)
      const replies = article && article.querySelector('[data-replies]')
      if (!replies) return
      const item = document.createElement('li')
      item.className = 'app-update__reply app-live-new'
      const name = document.createElement('strong')
      name.textContent = text(payload.author)
      item.append(name, `: ${text(payload.text)}`)
      replies.append(item)
      this.tell(`${text(payload.author)} replied to an update`)
    } else if (data.kind === 'wellbeing.reacted') {
      const article = this.articleFor(updateId)
      if (!article || !payload.counts || typeof payload.counts !== 'object') return
      for (const kind of ['seen', 'thanks']) {
        const count = article.querySelector(`[data-count="${kind}"]`)
        const value = Number(payload.counts[kind])
        if (count && Number.isSafeInteger(value)) count.textContent = String(value)
      }
    }
  }

  articleFor (updateId) {
    return this.list ? this.list.querySelector(`article[data-update-id="${updateId}"]`) : null
  }

  insert (updateId, update) {
    if (!this.list || !this.template || !('liveInsert' in this.list.dataset)) return
    const article = this.template.content.firstElementChild.cloneNode(true)
    article.id = `update-${updateId}`
    article.dataset.updateId = String(updateId)
    const field = (name) => article.querySelector(`[data-field="${name}"]`)
    field('author').textContent = text(update.author)
    field('text').textContent = text(update.text)
    field('visibility').textContent = VISIBILITY_WORDS[update.visibility] || ''
    const when = new Date(text(update.created_at))
    field('when').textContent = Number.isNaN(when.getTime()) ? '' : when.toLocaleString('en-GB')
    field('link').setAttribute('href', `${window.location.pathname}#update-${updateId}`)
    const photos = field('photos')
    const ids = Array.isArray(update.photo_ids) ? update.photo_ids : []
    ids.forEach((photoId, index) => {
      const thumbnail = photoUrl(this.thumbnailUrl, photoId)
      const full = photoUrl(this.fullUrl, photoId)
      if (!thumbnail || !full) return
      const item = document.createElement('li')
      const link = document.createElement('a')
      link.className = 'govuk-link'
      link.href = full
      const image = document.createElement('img')
      image.className = 'app-update__photo'
      image.src = thumbnail
      image.alt = `Photo ${index + 1} of ${ids.length} with this update (opens the full size)`
      link.append(image)
      item.append(link)
      photos.append(item)
    })
    if (!photos.childElementCount) photos.remove()
    this.list.insertBefore(article, this.list.firstElementChild)
    if (this.empty) this.empty.hidden = true
  }
}

const roots = document.querySelectorAll('[data-wellbeing-network]')
startAll([...roots].map((root) => new LiveUpdates(root)))
