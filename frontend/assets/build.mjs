// Builds Caregraph's CSS and copies GOV.UK Frontend's and cytoscape.js's JavaScript: `npm run build`.
// Silent on success; the output goes to frontend/static/frontend/build/ (gitignored).
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compileAsync } from 'sass'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const govuk = join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk')
const cytoscape = join(root, 'node_modules', 'cytoscape', 'dist')
const out = join(root, 'frontend', 'static', 'frontend', 'build')
const assetsUrl = '/static/frontend/build/assets/' // $govuk-assets-path in caregraph.scss

const { css } = await compileAsync(join(root, 'frontend', 'assets', 'scss', 'caregraph.scss'), {
  loadPaths: [join(root, 'node_modules')],
  style: 'compressed',
  sourceMap: false,
  quietDeps: true
})
await mkdir(out, { recursive: true })

// Copy only the assets the CSS refers to (no fonts: we use system fonts), so that
// collectstatic's manifest storage finds every url() it rewrites.
const assets = new Set(
  [...css.matchAll(/url\(["']?([^)"']+)["']?\)/g)]
    .map(([, url]) => url)
    .filter((url) => url.startsWith(assetsUrl))
    .map((url) => url.slice(assetsUrl.length))
)

await Promise.all([
  writeFile(join(out, 'caregraph.css'), css),
  ...['govuk-frontend.min.js', 'govuk-frontend.min.js.map'].map((name) =>
    cp(join(govuk, name), join(out, name))
  ),
  // The network map draws with cytoscape.js, loaded as an ES module by network-map.mjs.
  cp(join(cytoscape, 'cytoscape.esm.min.mjs'), join(out, 'cytoscape.esm.min.mjs')),
  ...[...assets].map((asset) => cp(join(govuk, 'assets', asset), join(out, 'assets', asset)))
])

// The calendar's month and week views (calendar-views.mjs) draw with FullCalendar v7. Its
// browser bundle is a script that sets a global, so it is wrapped as an ES module here (with
// its classic theme, which registers itself on that global); nothing is evaluated at build
// time. Its CSS ships as files and is not injected at run time, so our CSP needs no change.
// Its colours (the theme's palette) are ours, in caregraph.scss, for GOV.UK colours and contrast.
const fullcalendar = join(root, 'node_modules', 'fullcalendar')
const fullcalendarParts = await Promise.all(
  ['all/global.js', 'themes/classic/global.js'].map((name) =>
    readFile(join(fullcalendar, name), 'utf8')
  )
)
const fullcalendarStyles = await Promise.all(
  ['skeleton.css', 'themes/classic/theme.css'].map((name) =>
    readFile(join(fullcalendar, name), 'utf8')
  )
)
await Promise.all([
  writeFile(
    join(out, 'fullcalendar.mjs'),
    `${fullcalendarParts.join('\n;\n')}\nexport default FullCalendar\n`
  ),
  writeFile(join(out, 'fullcalendar.css'), fullcalendarStyles.join('\n'))
])
